//! The string catalogue. Every user-facing string lives in `catalogue.rs`, keyed by a
//! variant of [`T`]: a key that does not exist, or a language missing for a key, is a
//! compile error. zh-CN is the residents' language and the default; English is second.
//!
//! A hand-rolled catalogue rather than leptos_i18n: the keys are an enum, so only the
//! strings an island actually uses end up in its wasm, which keeps old phones fast.

use serde::{Deserialize, Serialize};

mod catalogue;
pub use catalogue::T;

/// The cookie that keeps the reader's language (set by `prefs`, read wherever a request is
/// answered).
pub const LANG_COOKIE: &str = "mc_lang";

/// A language the UI speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// The BCP 47 tag used in `<html lang>` and in the preference cookie.
    pub const fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Reads a tag leniently (`zh`, `zh-CN`, `en-GB`…); anything unknown is `None`.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase();
        if tag.starts_with("zh") {
            Some(Lang::Zh)
        } else if tag.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// Picks a language from an `Accept-Language` header, first listed wins; zh-CN if none fits.
    pub fn from_accept_language(header: &str) -> Lang {
        header
            .split(',')
            .filter_map(|part| Lang::from_tag(part.split(';').next().unwrap_or("")))
            .next()
            .unwrap_or_default()
    }

    pub const fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// The name of the language in itself, for the switch.
    pub const fn endonym(self) -> &'static str {
        match self {
            Lang::Zh => "中文",
            Lang::En => "English",
        }
    }

    pub fn t(self, key: T) -> &'static str {
        key.text(self)
    }
}

/// Defines [`T`]: `Key => "中文", "English";`.
macro_rules! define_catalogue {
    ($($key:ident => $zh:expr, $en:expr;)*) => {
        /// A key of the string catalogue.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum T { $($key),* }

        /// Every key, for tests that walk the whole catalogue.
        #[allow(dead_code)]
        pub const ALL: &[T] = &[$(T::$key),*];

        impl T {
            pub const fn text(self, lang: super::Lang) -> &'static str {
                match lang {
                    super::Lang::Zh => match self { $(T::$key => $zh),* },
                    super::Lang::En => match self { $(T::$key => $en),* },
                }
            }
        }
    };
}
pub(crate) use define_catalogue;

/// Messages with values in them: one function each, both languages side by side.
pub mod fmt {
    use super::Lang;

    pub fn retry_in_minutes(lang: Lang, minutes: i64) -> String {
        let minutes = minutes.max(1);
        match lang {
            Lang::Zh => format!("尝试次数过多，请 {minutes} 分钟后再试。"),
            Lang::En if minutes == 1 => "Too many attempts. Please try again in 1 minute.".into(),
            Lang::En => format!("Too many attempts. Please try again in {minutes} minutes."),
        }
    }

    /// A per-user limit (threads a day, a comment every few seconds): what and when.
    pub fn rate_limited(lang: Lang, what: &str, secs: i64) -> String {
        let secs = secs.max(1);
        match (lang, secs < 120) {
            (Lang::Zh, true) => format!("{what}请 {secs} 秒后再试。"),
            (Lang::Zh, false) => format!("{what}请 {} 分钟后再试。", (secs + 59) / 60),
            (Lang::En, true) => format!("{what} Please try again in {secs} s."),
            (Lang::En, false) => format!("{what} Please try again in {} minutes.", (secs + 59) / 60),
        }
    }

    pub fn booking_banned(lang: Lang, until: &str) -> String {
        match lang {
            Lang::Zh => format!("30 天内两次预约未到，{until} 前暂不能预约。如有特殊情况请联系服务站。"),
            Lang::En => format!("Two missed appointments within 30 days: you can book again from {until}. Call the station if there was a reason."),
        }
    }

    pub fn days_taken(lang: Lang, n: i64) -> String {
        match lang {
            Lang::Zh => format!("用时 {n} 天"),
            Lang::En if n == 1 => "1 day".into(),
            Lang::En => format!("{n} days"),
        }
    }

    pub fn hours(lang: Lang, n: i64) -> String {
        match lang {
            Lang::Zh => format!("{n} 小时"),
            Lang::En if n == 1 => "1 hour".into(),
            Lang::En => format!("{n} hours"),
        }
    }

    pub fn places_left(lang: Lang, n: i64) -> String {
        match lang {
            Lang::Zh => format!("余 {n}"),
            Lang::En => format!("{n} left"),
        }
    }

    pub fn threshold_rule(lang: Lang, n: i64) -> String {
        match lang {
            Lang::Zh => format!("获得 {n} 位居民支持的议题，将提交服务站研究答复。"),
            Lang::En => format!("A thread supported by {n} residents goes to the station for an answer."),
        }
    }

    pub fn threshold_explained(lang: Lang, n: i64, households: i64, setting: Option<i64>) -> String {
        match (lang, setting) {
            (Lang::Zh, Some(_)) => format!("当前门槛：{n}（站长设定；本社区已注册 {households} 户）。"),
            (Lang::Zh, None) => format!("当前门槛：{n}（默认规则：已注册户数 {households} 的 5%，至少 10）。"),
            (Lang::En, Some(_)) => {
                format!("Threshold now: {n} (set by the stationmaster; {households} registered households).")
            }
            (Lang::En, None) => {
                format!("Threshold now: {n} (default rule: 5% of {households} registered households, at least 10).")
            }
        }
    }

    pub fn places(lang: Lang, taken: i64, capacity: i64, waitlist: i64) -> String {
        match lang {
            Lang::Zh => format!("已报名 {taken} / {capacity} 人，候补 {waitlist} 人"),
            Lang::En => format!("{taken} of {capacity} places taken, {waitlist} waiting"),
        }
    }

    pub fn waitlist_position(lang: Lang, n: i64) -> String {
        match lang {
            Lang::Zh => format!("你在候补名单第 {n} 位，有人取消时自动递补并通知你。"),
            Lang::En => format!("You are number {n} on the waitlist; you move up automatically if someone cancels."),
        }
    }

    pub fn blocked_until(lang: Lang, until: &str) -> String {
        match lang {
            Lang::Zh => format!("你的发言权限已被暂停，{until} 后恢复。期间仍可浏览。"),
            Lang::En => format!("You may not post until {until}. You can still read."),
        }
    }

    pub fn min_chars(lang: Lang, n: usize) -> String {
        match lang {
            Lang::Zh => format!("至少 {n} 个字符。"),
            Lang::En => format!("At least {n} characters."),
        }
    }

    pub fn max_chars(lang: Lang, n: usize) -> String {
        match lang {
            Lang::Zh => format!("最多 {n} 个字符。"),
            Lang::En => format!("At most {n} characters."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip_and_default_to_chinese() {
        assert_eq!(Lang::from_tag(Lang::Zh.tag()), Some(Lang::Zh));
        assert_eq!(Lang::from_tag(Lang::En.tag()), Some(Lang::En));
        assert_eq!(Lang::from_tag("fr"), None);
        assert_eq!(Lang::from_accept_language("en-GB,en;q=0.9,zh;q=0.8"), Lang::En);
        assert_eq!(Lang::from_accept_language("fr-FR,de;q=0.9"), Lang::Zh);
        assert_eq!(Lang::from_accept_language(""), Lang::Zh);
    }

    #[test]
    fn every_key_has_both_languages_non_empty() {
        for key in catalogue::ALL {
            assert!(!key.text(Lang::Zh).is_empty(), "{key:?} zh");
            assert!(!key.text(Lang::En).is_empty(), "{key:?} en");
        }
    }
}

/// A name in both languages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    pub zh: String,
    pub en: String,
}

impl Named {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}
