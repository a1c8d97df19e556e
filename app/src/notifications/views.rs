//! Words of the reach settings' topics, and the case page's delivery log. The `/me/reach`
//! page sits with the router (`shell::reach`): it is framed by `ui`, which imports this
//! feature for the unread badge.

use super::rules::{Channel, Topic};
use super::{DeliveryLine, DeliveryState};
use crate::i18n::{Lang, T};
use leptos::prelude::*;

pub fn topic_label(t: Topic) -> T {
    match t {
        Topic::Answer => T::TopicAnswer,
        Topic::Progress => T::TopicProgress,
        Topic::Confirm => T::TopicConfirm,
        Topic::Rate => T::TopicRate,
        Topic::Appointment => T::TopicAppointment,
        Topic::Emergency => T::TopicEmergency,
        Topic::Meeting => T::TopicMeeting,
        Topic::Activity => T::TopicActivity,
        Topic::Account => T::TopicAccount,
        Topic::Work => T::TopicWork,
    }
}

/// The words of one delivery for the station ("短信 · 张三 138****0001 · 已发送 14:02").
pub fn delivery_text(d: &DeliveryLine, lang: Lang) -> String {
    let how = lang.t(match d.channel {
        Channel::Sms => T::ReachSms,
        Channel::Push => T::ReachPush,
    });
    let what = match (d.state, d.reason.as_deref()) {
        (DeliveryState::Sent, _) => format!("{} {}", lang.t(T::DeliverySent), d.when),
        (DeliveryState::Queued, Some("quiet")) => format!("{}{}", lang.t(T::DeliveryDeferred), d.when),
        (DeliveryState::Queued, None) => lang.t(T::DeliveryQueued).to_string(),
        (DeliveryState::Queued, Some(_)) => lang.t(T::DeliveryRetrying).to_string(),
        (DeliveryState::Failed, _) => lang.t(T::DeliveryFailed).to_string(),
        (DeliveryState::Dropped, _) => lang.t(T::DeliveryDropped).to_string(),
        (DeliveryState::Skipped, Some("cap")) => lang.t(T::DeliverySkippedCap).to_string(),
        (DeliveryState::Skipped, Some("no_device")) => lang.t(T::DeliverySkippedNoDevice).to_string(),
        (DeliveryState::Skipped, Some("no_sms")) => lang.t(T::DeliverySkippedNoSms).to_string(),
        (DeliveryState::Skipped, _) => lang.t(T::DeliverySkippedOutdated).to_string(),
    };
    format!("{how} · {} · {what}", d.who)
}

/// The case's deliveries, for its station team.
#[component]
pub fn DeliveryLog(lines: Vec<DeliveryLine>, lang: Lang) -> impl IntoView {
    (!lines.is_empty()).then(|| {
        view! {
            <details class="deliveries" data-testid="deliveries">
                <summary>{lang.t(T::DeliveriesTitle)} " (" {lines.len()} ")"</summary>
                <ul class="plain small">
                    {lines.iter().map(|d| view! { <li>{delivery_text(d, lang)}</li> }).collect_view()}
                </ul>
            </details>
        }
    })
}
