//! The rules of a questionnaire, pure: what a question may be, whether an answer sheet is
//! complete, the tally of the results, and the keyed hash that keeps an anonymous survey to
//! one answer per resident without storing who answered.

use crate::i18n::T;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const MAX_QUESTIONS: usize = 8;
pub const MAX_OPTIONS: usize = 12;
pub const MAX_TEXT: usize = 1_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    Single,
    Multiple,
    /// 1 (lowest) to 5 (highest).
    Scale,
    Text,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Single, Kind::Multiple, Kind::Scale, Kind::Text];

    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Single => "single",
            Kind::Multiple => "multiple",
            Kind::Scale => "scale",
            Kind::Text => "text",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub const fn label(self) -> T {
        match self {
            Kind::Single => T::QuestionSingle,
            Kind::Multiple => T::QuestionMultiple,
            Kind::Scale => T::QuestionScale,
            Kind::Text => T::QuestionText,
        }
    }

    pub const fn has_options(self) -> bool {
        matches!(self, Kind::Single | Kind::Multiple)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub id: i64,
    pub kind: Kind,
    pub prompt: String,
    pub required: bool,
    pub options: Vec<String>,
}

/// The options typed one per line: trimmed, blank lines dropped.
pub fn parse_options(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

/// One question slot of the builder form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QuestionDraft {
    pub prompt: String,
    pub kind: String,
    pub options: String,
    pub required: bool,
}

/// Checks the builder's slots; empty slots are skipped. Problems name the slot's field
/// (`q[s3_options]`) so the form shows them beside it.
pub fn check_questions(slots: &[QuestionDraft]) -> Result<Vec<(Kind, String, bool, Vec<String>)>, Vec<(String, T)>> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (k, s) in slots.iter().enumerate() {
        let prompt = s.prompt.trim();
        if prompt.is_empty() {
            continue;
        }
        if prompt.chars().count() > 200 {
            problems.push((format!("q[s{k}_prompt]"), T::ErrQuestionTooLong));
            continue;
        }
        let Some(kind) = Kind::parse(&s.kind) else {
            problems.push((format!("q[s{k}_kind]"), T::ErrQuestionKind));
            continue;
        };
        let options = if kind.has_options() { parse_options(&s.options) } else { Vec::new() };
        if kind.has_options() && !(2..=MAX_OPTIONS).contains(&options.len()) {
            problems.push((format!("q[s{k}_options]"), T::ErrQuestionOptions));
            continue;
        }
        if options.iter().any(|o| o.chars().count() > 100) {
            problems.push((format!("q[s{k}_options]"), T::ErrQuestionOptions));
            continue;
        }
        out.push((kind, prompt.to_string(), s.required, options));
    }
    if out.is_empty() && problems.is_empty() {
        problems.push(("q[s0_prompt]".to_string(), T::ErrNoQuestions));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// One stored answer: a choice (option index, or 1–5 on a scale) or a text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub question_id: i64,
    pub choice: Option<i64>,
    pub text: Option<String>,
}

/// The field name of a question in the answer form (`a[q12]`), and of one option of a
/// multiple-choice question (`a[q12_3]`).
pub fn field(question: i64) -> String {
    format!("a[q{question}]")
}

pub fn option_field(question: i64, option: usize) -> String {
    format!("a[q{question}_{option}]")
}

/// Reads an answer sheet (`raw` keyed as the form posts it, without the `a[…]`: `q12`,
/// `q12_3`) against the questions. Every problem names its question's field.
pub fn check_answers(questions: &[Question], raw: &BTreeMap<String, String>) -> Result<Vec<Answer>, Vec<(String, T)>> {
    let mut answers = Vec::new();
    let mut problems = Vec::new();
    for q in questions {
        let value = raw.get(&format!("q{}", q.id)).map(|v| v.trim()).filter(|v| !v.is_empty());
        let before = answers.len();
        match q.kind {
            Kind::Single => match value.map(|v| v.parse::<usize>()) {
                Some(Ok(i)) if i < q.options.len() => {
                    answers.push(Answer { question_id: q.id, choice: Some(i as i64), text: None })
                }
                Some(_) => problems.push((field(q.id), T::ErrBadChoice)),
                None => {}
            },
            Kind::Multiple => {
                for i in 0..q.options.len() {
                    if raw.get(&format!("q{}_{i}", q.id)).is_some_and(|v| !v.is_empty()) {
                        answers.push(Answer { question_id: q.id, choice: Some(i as i64), text: None });
                    }
                }
            }
            Kind::Scale => match value.map(|v| v.parse::<i64>()) {
                Some(Ok(n)) if (1..=5).contains(&n) => {
                    answers.push(Answer { question_id: q.id, choice: Some(n), text: None })
                }
                Some(_) => problems.push((field(q.id), T::ErrBadChoice)),
                None => {}
            },
            Kind::Text => {
                if let Some(v) = value {
                    if v.chars().count() > MAX_TEXT {
                        problems.push((field(q.id), T::ErrAnswerTooLong));
                    } else {
                        answers.push(Answer { question_id: q.id, choice: None, text: Some(v.to_string()) });
                    }
                }
            }
        }
        if q.required && answers.len() == before && !problems.iter().any(|(f, _)| *f == field(q.id)) {
            problems.push((field(q.id), T::ErrAnswerRequired));
        }
    }
    if problems.is_empty() {
        Ok(answers)
    } else {
        Err(problems)
    }
}

/// Is a survey taking answers at `now`?
pub fn is_open(opens_at: i64, closes_at: i64, closed_early_at: Option<i64>, now: i64) -> bool {
    opens_at <= now && now < closes_at && closed_early_at.is_none_or(|c| now < c)
}

/// The results of one question.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    pub question_id: i64,
    /// Choices: one count per option; scale: counts for 1…5.
    pub counts: Vec<u32>,
    /// Respondents who answered this question (for percentages).
    pub answered: u32,
    /// Scale: the mean, when anyone answered.
    pub mean: Option<f64>,
    pub texts: Vec<String>,
}

/// Tallies every answer of every response: `answers` as (response id, answer).
pub fn tally(questions: &[Question], answers: &[(i64, Answer)]) -> Vec<Tally> {
    questions
        .iter()
        .map(|q| {
            let mine: Vec<&(i64, Answer)> = answers.iter().filter(|(_, a)| a.question_id == q.id).collect();
            let mut responders: Vec<i64> = mine.iter().map(|(r, _)| *r).collect();
            responders.sort_unstable();
            responders.dedup();
            let mut t = Tally { question_id: q.id, answered: responders.len() as u32, ..Tally::default() };
            match q.kind {
                Kind::Single | Kind::Multiple => {
                    t.counts = vec![0; q.options.len()];
                    for (_, a) in &mine {
                        if let Some(c) = a.choice.filter(|c| (*c as usize) < q.options.len() && *c >= 0) {
                            t.counts[c as usize] += 1;
                        }
                    }
                }
                Kind::Scale => {
                    t.counts = vec![0; 5];
                    let mut sum = 0;
                    for (_, a) in &mine {
                        if let Some(c) = a.choice.filter(|c| (1..=5).contains(c)) {
                            t.counts[(c - 1) as usize] += 1;
                            sum += c;
                        }
                    }
                    let n: u32 = t.counts.iter().sum();
                    t.mean = (n > 0).then(|| sum as f64 / n as f64);
                }
                Kind::Text => t.texts = mine.iter().filter_map(|(_, a)| a.text.clone()).collect(),
            }
            t
        })
        .collect()
}

/// The key that makes one answer per resident: HMAC-SHA256 of the survey and the account
/// under a secret only the server holds. For an anonymous survey it is all that is stored,
/// so the answers cannot be traced back to an account without the secret.
#[cfg(feature = "ssr")]
pub fn respondent_key(secret: &[u8], survey: i64, user: i64) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(format!("survey:{survey}:user:{user}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(id: i64, kind: Kind, required: bool, options: &[&str]) -> Question {
        Question {
            id,
            kind,
            prompt: format!("Q{id}"),
            required,
            options: options.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn raw(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn builder_skips_empty_slots_and_checks_options() {
        let slots = vec![
            QuestionDraft {
                prompt: "最需要的服务？".into(),
                kind: "single".into(),
                options: "助餐\n\n 理发 \n".into(),
                required: true,
            },
            QuestionDraft::default(),
            QuestionDraft { prompt: "评分".into(), kind: "scale".into(), options: "ignored".into(), required: false },
        ];
        let qs = check_questions(&slots).unwrap();
        assert_eq!(qs.len(), 2);
        assert_eq!(qs[0].3, vec!["助餐", "理发"]);
        assert!(qs[1].3.is_empty(), "a scale has no options");
        let bad = vec![QuestionDraft {
            prompt: "哪个？".into(),
            kind: "multiple".into(),
            options: "只有一个".into(),
            required: false,
        }];
        assert_eq!(check_questions(&bad).unwrap_err(), vec![("q[s0_options]".to_string(), T::ErrQuestionOptions)]);
        assert_eq!(check_questions(&[]).unwrap_err()[0].1, T::ErrNoQuestions);
        let odd = vec![QuestionDraft { prompt: "x".into(), kind: "essay".into(), ..Default::default() }];
        assert_eq!(check_questions(&odd).unwrap_err()[0].1, T::ErrQuestionKind);
    }

    #[test]
    fn answers_are_checked_against_the_questions() {
        let qs = [
            q(1, Kind::Single, true, &["A", "B"]),
            q(2, Kind::Multiple, false, &["X", "Y", "Z"]),
            q(3, Kind::Scale, true, &[]),
            q(4, Kind::Text, false, &[]),
        ];
        let a = check_answers(&qs, &raw(&[("q1", "1"), ("q2_0", "1"), ("q2_2", "on"), ("q3", "4"), ("q4", " 好 ")]))
            .unwrap();
        assert_eq!(a.len(), 5);
        assert_eq!(a[4].text.as_deref(), Some("好"));
        let e = check_answers(&qs, &raw(&[("q1", "7"), ("q4", "")])).unwrap_err();
        assert_eq!(e, vec![(field(1), T::ErrBadChoice), (field(3), T::ErrAnswerRequired)]);
        let long = "长".repeat(MAX_TEXT + 1);
        let e = check_answers(&qs, &raw(&[("q1", "0"), ("q3", "5"), ("q4", &long)])).unwrap_err();
        assert_eq!(e, vec![(field(4), T::ErrAnswerTooLong)]);
        let required_multiple = [q(9, Kind::Multiple, true, &["X", "Y"])];
        assert_eq!(check_answers(&required_multiple, &raw(&[])).unwrap_err()[0].1, T::ErrAnswerRequired);
    }

    #[test]
    fn tally_counts_shares_and_means() {
        let qs = [
            q(1, Kind::Single, true, &["A", "B"]),
            q(2, Kind::Multiple, false, &["X", "Y"]),
            q(3, Kind::Scale, true, &[]),
            q(4, Kind::Text, false, &[]),
        ];
        let c = |question_id, choice| Answer { question_id, choice: Some(choice), text: None };
        let answers = vec![
            (10, c(1, 0)),
            (10, c(2, 0)),
            (10, c(2, 1)),
            (10, c(3, 5)),
            (11, c(1, 0)),
            (11, c(3, 2)),
            (11, Answer { question_id: 4, choice: None, text: Some("谢谢".into()) }),
        ];
        let t = tally(&qs, &answers);
        assert_eq!(t[0].counts, vec![2, 0]);
        assert_eq!(t[0].answered, 2);
        assert_eq!(t[1].counts, vec![1, 1]);
        assert_eq!(t[1].answered, 1, "one respondent ticked two boxes");
        assert_eq!(t[2].counts, vec![0, 1, 0, 0, 1]);
        assert_eq!(t[2].mean, Some(3.5));
        assert_eq!(t[3].texts, vec!["谢谢"]);
        let empty = tally(&qs, &[]);
        assert_eq!(empty[2].mean, None);
        assert_eq!(empty[0].counts, vec![0, 0]);
    }

    #[test]
    fn open_between_its_dates_unless_closed_early() {
        assert!(is_open(10, 20, None, 10));
        assert!(!is_open(10, 20, None, 20));
        assert!(!is_open(10, 20, None, 9));
        assert!(!is_open(10, 20, Some(15), 16));
        assert!(is_open(10, 20, Some(15), 14));
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn anonymity_key_is_stable_per_resident_and_survey_and_needs_the_secret() {
        let k = respondent_key(b"secret", 7, 42);
        assert_eq!(k.len(), 64);
        assert_eq!(k, respondent_key(b"secret", 7, 42), "the same resident always gets the same key: one answer");
        assert_ne!(k, respondent_key(b"secret", 7, 43), "another resident");
        assert_ne!(k, respondent_key(b"secret", 8, 42), "another survey: keys cannot be linked across surveys");
        assert_ne!(k, respondent_key(b"other", 7, 42), "without the secret the key cannot be recomputed");
        // Not a plain hash: nobody can recompute it by trying every account id.
        assert_ne!(k, crate::security::sha256_hex("survey:7:user:42"));
    }
}
