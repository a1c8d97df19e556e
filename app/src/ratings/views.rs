//! The rating card on a closed case, and the worker's assessment in the staff panel.

use super::*;
use crate::i18n::Lang;
use server_fn::ServerFn;

#[component]
fn Levels(name: &'static str, label: T, current: i64, lang: Lang) -> impl IntoView {
    view! {
        <fieldset class="field levels">
            <legend>{lang.t(label)}</legend>
            {rules::LEVELS.into_iter().map(|l| {
                let id = format!("{name}-{l}");
                let for_id = id.clone();
                view! {
                    <label class="choice" for=for_id>
                        <input type="radio" id=id name=name value=l.to_string() checked=current == l required />
                        <span>{lang.t(level_label(l))}</span>
                    </label>
                }
            }).collect_view()}
        </fieldset>
    }
}

/// A unit's part, rated on the five levels or not at all.
#[component]
fn UnitLevels(part: UnitPart, lang: Lang) -> impl IntoView {
    let name = format!("u[{}]", part.key);
    view! {
        <fieldset class="field levels" data-unit=part.key.clone()>
            <legend>{part.name.get(lang).to_string()}</legend>
            {rules::LEVELS.into_iter().map(|l| {
                let id = format!("u-{}-{l}", part.key);
                let for_id = id.clone();
                view! {
                    <label class="choice" for=for_id>
                        <input type="radio" id=id name=name.clone() value=l.to_string() checked=part.score == Some(l) />
                        <span>{lang.t(level_label(l))}</span>
                    </label>
                }
            }).collect_view()}
        </fieldset>
    }
}

#[component]
pub fn RatingSection(r: RatingCard, lang: Lang) -> impl IntoView {
    let s = r.scores.unwrap_or(rules::Scores { overall: 0, timeliness: 0, attitude: 0, outcome: 0 });
    view! {
        <section class="card rating" id="rating" aria-labelledby="rating-h" data-testid="rating">
            <h2 id="rating-h">{lang.t(T::RateTitle)}</h2>
            {r.scores.map(|sc| view! {
                <p data-testid="rated">
                    <strong>{lang.t(level_label(sc.overall))}</strong>
                    {format!(" · {} {} · {} {} · {} {}",
                        lang.t(T::RateTimeliness), lang.t(level_label(sc.timeliness)),
                        lang.t(T::RateAttitude), lang.t(level_label(sc.attitude)),
                        lang.t(T::RateOutcome), lang.t(level_label(sc.outcome)))}
                </p>
            })}
            {(!r.comment.is_empty()).then(|| view! { <p class="muted">{r.comment.clone()}</p> })}
            {r.units.iter().filter_map(|u| u.score.map(|s| (u.name.clone(), s))).map(|(name, s)| view! {
                <p class="small" data-testid="unit-rated">{name.get(lang).to_string()} "：" {lang.t(level_label(s))}</p>
            }).collect_view()}
            {r.callback_demand.map(|c| view! { <p><a href=format!("/demands/{c}")>{lang.t(T::CallbackOpened)} " #" {c}</a></p> })}
            {r.can_rate.then(|| view! {
                <p class="notice">{lang.t(if r.scores.is_some() { T::RatedThanks } else { T::RatePrompt })} " " {format!("{} {}", lang.t(T::RateWindowEnds), r.window_ends)}</p>
                // Once rated, the form folds away (it stays editable for the window).
                <details open=r.scores.is_none()>
                <summary>{lang.t(T::ChangeRating)}</summary>
                <form method="post" action=if r.appointment_id.is_some() { RateAppointment::url() } else { RateCase::url() } class="form rating-form">
                    <p class="form-banner" data-form-error="" role="alert" hidden></p>
                    {match r.appointment_id {
                        Some(a) => view! { <input type="hidden" name="appointment_id" value=a /> }.into_any(),
                        None => view! { <input type="hidden" name="demand_id" value=r.demand_id /> }.into_any(),
                    }}
                    <Levels name="overall" label=T::RateOverall current=s.overall lang=lang />
                    <Levels name="timeliness" label=T::RateTimeliness current=s.timeliness lang=lang />
                    <Levels name="attitude" label=T::RateAttitude current=s.attitude lang=lang />
                    <Levels name="outcome" label=T::RateOutcome current=s.outcome lang=lang />
                    <p class="field-error" data-error-for="overall"></p>
                    {(!r.units.is_empty()).then(|| view! {
                        <h3>{lang.t(T::RateUnitsTitle)}</h3>
                        <p class="hint">{lang.t(T::RateUnitsHint)}</p>
                        {r.units.clone().into_iter().map(|part| view! { <UnitLevels part=part lang=lang /> }).collect_view()}
                        <p class="field-error" data-error-for="units"></p>
                    })}
                    <div class="field">
                        <label for="rate-comment">{lang.t(T::RateComment)}</label>
                        <textarea id="rate-comment" name="comment" rows="3" maxlength="1000">{r.comment.clone()}</textarea>
                    </div>
                    <button type="submit" class="button primary" data-busy-label=lang.t(T::Sending)>{lang.t(T::RateSubmit)}</button>
                </form>
                </details>
            })}
        </section>
    }
}

#[component]
pub fn AssessmentSection(demand_id: i64, a: Option<Assessment>, can_assess: bool, lang: Lang) -> impl IntoView {
    let (d, c, h) =
        a.as_ref().map(|a| (a.difficulty, a.cooperation, a.helped.clone())).unwrap_or((0, 0, String::new()));
    let scale = move |name: &'static str, label: T, current: i64| {
        view! {
            <fieldset class="field levels">
                <legend>{lang.t(label)}</legend>
                {(1..=5).map(|l| {
                    let id = format!("{name}-{l}");
                    let for_id = id.clone();
                    view! {
                        <label class="choice" for=for_id>
                            <input type="radio" id=id name=name value=l.to_string() checked=current == l required />
                            <span>{l}</span>
                        </label>
                    }
                }).collect_view()}
            </fieldset>
        }
    };
    (can_assess || a.is_some()).then(|| view! {
        <section class="panel-part" id="assessment" data-testid="assessment">
            <h3>{lang.t(T::AssessTitle)}</h3>
            {a.as_ref().map(|a| view! { <p>{format!("{} {} · {} {} · {}", lang.t(T::AssessDifficulty), a.difficulty, lang.t(T::AssessCooperation), a.cooperation, a.author)}</p> })}
            {can_assess.then(|| view! {
                <form method="post" action=AssessCase::url() class="form">
                    <p class="form-banner" data-form-error="" role="alert" hidden></p>
                    <input type="hidden" name="demand_id" value=demand_id />
                    {scale("difficulty", T::AssessDifficulty, d)}
                    {scale("cooperation", T::AssessCooperation, c)}
                    <div class="field">
                        <label for="assess-helped">{lang.t(T::AssessHelped)}</label>
                        <textarea id="assess-helped" name="helped" rows="2" maxlength="1000">{h}</textarea>
                    </div>
                    <button type="submit" class="button secondary">{lang.t(T::Save)}</button>
                </form>
            })}
        </section>
    })
}
