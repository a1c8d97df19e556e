//! Chinese words out of what residents write: jieba's search-mode segmentation over its own
//! dictionary plus the domain's (every affair's keywords, the synonyms), each word also
//! matched through its synonym group's head (灯泡 → 灯) and, for words of two characters or
//! more, its toneless pinyin (电悌 and 电梯 are both "dianti"; "dibao" typed in Latin letters
//! finds 低保).

use super::rules::{fold_width, is_stopword, Term};
use jieba_rs::Jieba;
use pinyin::ToPinyin;
use std::collections::HashMap;
use std::sync::{LazyLock, RwLock};

const SYNONYMS: &str = include_str!("synonyms.txt");
/// A match through pinyin counts this much of a match on the word.
const PINYIN_WEIGHT: f64 = 0.6;
/// A match through the synonym group counts this much.
const SYNONYM_WEIGHT: f64 = 0.9;
/// The most characters segmented from one text (a demand holds at most 2,000).
const MAX_CHARS: usize = 2_000;

/// Synonym groups: each word to its group's head (the first word of its line). A district
/// may replace the built-in list with its own file (`INTAKE_SYNONYMS_FILE`), read once.
static GROUPS: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    match std::env::var("INTAKE_SYNONYMS_FILE").ok().filter(|p| !p.is_empty()) {
        Some(path) => match std::fs::read_to_string(&path) {
            Ok(text) => groups(&text),
            Err(e) => {
                tracing::warn!(path, error = %e, "INTAKE_SYNONYMS_FILE unreadable: the built-in synonyms are used");
                groups(SYNONYMS)
            }
        },
        None => groups(SYNONYMS),
    }
});

/// jieba with the domain's words; loading its dictionary takes about half a second, once.
static JIEBA: LazyLock<RwLock<Jieba>> = LazyLock::new(|| {
    let mut j = Jieba::new();
    for word in GROUPS.keys() {
        add(&mut j, word);
    }
    for a in crate::affairs::seed::affairs() {
        for word in a.keywords.split_whitespace() {
            add(&mut j, word);
        }
    }
    RwLock::new(j)
});

fn add(j: &mut Jieba, word: &str) {
    // Latin words are split by jieba's own rules; only Chinese words go in the dictionary.
    if word.chars().count() >= 2 && !word.is_ascii() && !j.has_word(word) {
        j.add_word(word, None, None);
    }
}

/// Parses the synonyms file: one group a line, words separated by spaces or "/", the first
/// the head; `#` starts a comment.
pub fn groups(text: &str) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        let words: Vec<String> =
            line.split(|c: char| c.is_whitespace() || c == '/').filter(|w| !w.is_empty()).map(fold_width).collect();
        if let Some(head) = words.first() {
            for w in &words {
                map.entry(w.clone()).or_insert_with(|| head.clone());
            }
        }
    }
    map
}

/// Loads the dictionary now (at start, off the request path).
pub fn warm() {
    LazyLock::force(&JIEBA);
}

/// Teaches the segmenter words of a community's own affairs (keywords the station wrote).
pub fn learn(words: &[String]) {
    let unknown: Vec<&String> = {
        let j = JIEBA.read().unwrap_or_else(|e| e.into_inner());
        words.iter().filter(|w| w.chars().count() >= 2 && !w.is_ascii() && !j.has_word(w)).collect()
    };
    if !unknown.is_empty() {
        let mut j = JIEBA.write().unwrap_or_else(|e| e.into_inner());
        for w in unknown {
            add(&mut j, w);
        }
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// The words of a text, with their synonym and pinyin keys.
pub fn terms(text: &str) -> Vec<Term> {
    let text: String = fold_width(text).chars().take(MAX_CHARS).collect();
    let j = JIEBA.read().unwrap_or_else(|e| e.into_inner());
    let mut out = Vec::new();
    // The last lone Chinese character and where it ended: a word the dictionary does not
    // know (a typo: 电悌) comes out as lone characters, whose pair is matched by its pinyin.
    let mut lone: Option<(usize, char)> = None;
    for token in j.cut_for_search(&text, true) {
        let word = token.word.trim();
        let mut chars = word.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if is_cjk(c) => {
                if let Some((_, before)) = lone.filter(|(end, _)| *end == token.byte_start) {
                    let pair: String = [before, c].iter().collect();
                    let spelled: String = pair.as_str().to_pinyin().flatten().map(|p| p.plain()).collect();
                    out.push(Term { key: spelled, surface: pair, weight: PINYIN_WEIGHT });
                }
                lone = Some((token.byte_end, c));
            }
            _ => lone = None,
        }
        if word.is_empty() || !word.chars().any(|c| c.is_alphanumeric()) || is_stopword(word) {
            continue;
        }
        out.push(Term { key: word.to_string(), surface: word.to_string(), weight: 1.0 });
        if let Some(head) = GROUPS.get(word).filter(|h| h.as_str() != word) {
            out.push(Term { key: head.clone(), surface: word.to_string(), weight: SYNONYM_WEIGHT });
        }
        let chinese = word.chars().filter(|c| is_cjk(*c)).count();
        if chinese >= 2 && chinese == word.chars().count() {
            let spelled: String = word.to_pinyin().flatten().map(|p| p.plain()).collect();
            out.push(Term { key: spelled, surface: word.to_string(), weight: PINYIN_WEIGHT });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        terms(text).into_iter().map(|t| t.key).collect()
    }

    #[test]
    fn domain_words_stay_whole_and_two_character_words_match() {
        let k = keys("我想申请低保");
        assert!(k.contains(&"低保".to_string()), "{k:?}");
        assert!(!k.contains(&"我".to_string()) && !k.contains(&"想".to_string()));
        // 最低生活保障 finds 低保 through its synonym group.
        assert!(keys("最低生活保障怎么办理").contains(&"低保".to_string()));
    }

    #[test]
    fn typos_and_latin_letters_meet_through_pinyin() {
        assert!(keys("五号楼电悌坏了").contains(&"dianti".to_string()));
        assert!(keys("电梯").contains(&"dianti".to_string()));
        assert!(keys("dibao怎么申请").contains(&"dibao".to_string()));
        assert!(keys("低保").contains(&"dibao".to_string()));
    }

    #[test]
    fn synonyms_lead_to_their_head() {
        let g = groups("灯 灯泡 照明 / 路灯  # lights\n\n电梯 升降梯\n");
        assert_eq!(g["照明"], "灯");
        assert_eq!(g["路灯"], "灯");
        assert_eq!(g["升降梯"], "电梯");
        assert!(!g.contains_key("lights"));
        let t = terms("楼道照明坏了");
        assert!(t.iter().any(|t| t.key == "灯" && t.surface == "照明"), "{t:?}");
    }

    #[test]
    fn punctuation_numbers_and_full_width_are_dropped_or_folded() {
        let k = keys("３号楼，２单元！！ＷＩＦＩ没信号");
        assert!(k.contains(&"wifi".to_string()), "{k:?}");
        assert!(k.iter().all(|w| !w.chars().all(|c| c.is_ascii_digit() || c.is_ascii_punctuation())), "{k:?}");
    }
}
