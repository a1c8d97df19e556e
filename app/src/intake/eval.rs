//! The evaluation set (`eval/affairs.tsv`: sentences residents might write, each labelled
//! with its affair) against the demo catalogue's index, with no past demands: precision at
//! 1 and at 3 must not fall below what was measured. `cargo test -p app eval -- --nocapture`
//! prints the figures and the misses.

use super::rules::{self, AffairDoc, AffairIndex};
use super::segment::terms;

const SET: &str = include_str!("eval/affairs.tsv");
/// Measured 2026-12-03: 0.681 at 1, 0.844 at 3 (see README, "Smart intake"); the target is
/// 0.80 at 3.
const MIN_AT_1: f64 = 0.66;
const MIN_AT_3: f64 = 0.82;
/// A post that chose no affair is filed under the best match only when it scores at least
/// `rules::SURE_ENOUGH`: those matches must be right this often (else "other" is better).
const MIN_SURE_RIGHT: f64 = 0.82;

fn catalogue_index() -> AffairIndex {
    let docs = crate::affairs::seed::affairs()
        .into_iter()
        .map(|a| {
            let mut d = AffairDoc::new(a.code, a.name.0);
            d.add(&terms(a.name.0), rules::NAME_WEIGHT);
            d.add(&terms(a.keywords), rules::KEYWORD_WEIGHT);
            d.add(&terms(a.description.0), rules::DESCRIPTION_WEIGHT);
            d.add(&terms(a.documents.0), rules::DOCUMENTS_WEIGHT);
            d
        })
        .collect();
    AffairIndex::new(docs)
}

fn examples() -> Vec<(&'static str, &'static str)> {
    SET.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split_once('\t').expect("code<TAB>sentence"))
        .collect()
}

#[test]
fn every_example_names_an_affair_of_the_catalogue() {
    let codes: Vec<&str> = crate::affairs::seed::affairs().iter().map(|a| a.code).collect();
    let set = examples();
    assert!(set.len() >= 300, "{} examples", set.len());
    for (code, sentence) in &set {
        assert!(codes.contains(code), "{code}: {sentence}");
    }
    for code in &codes {
        assert!(set.iter().filter(|(c, _)| c == code).count() >= 5, "{code} has fewer than 5 examples");
    }
}

#[test]
fn suggestions_find_the_affair_residents_mean() {
    let index = catalogue_index();
    let mut results = Vec::new();
    let mut misses = Vec::new();
    let (mut sure, mut sure_right) = (0, 0);
    for (code, sentence) in examples() {
        let ranked = index.rank(&terms(sentence), 3);
        if let Some(top) = rules::clear_best(&ranked) {
            sure += 1;
            sure_right += usize::from(top.code == code);
        }
        let got: Vec<String> = ranked.into_iter().map(|r| r.code).collect();
        if !got.iter().any(|g| g == code) {
            misses.push(format!("{code}\t{sentence}\t→ {got:?}"));
        }
        results.push((code.to_string(), got));
    }
    let (at1, at3) = rules::precision(&results);
    println!("evaluation: {} examples, precision@1 {:.3}, precision@3 {:.3}", results.len(), at1, at3);
    let sure_share = sure_right as f64 / sure.max(1) as f64;
    println!(
        "filed by a clear best match (score ≥ {}, {}× the next): {sure} of {} ({:.3}), right {sure_right} ({sure_share:.3})",
        rules::SURE_ENOUGH,
        rules::CLEAR_LEAD,
        results.len(),
        sure as f64 / results.len() as f64
    );
    for m in &misses {
        println!("miss: {m}");
    }
    assert!(at1 >= MIN_AT_1 && at3 >= MIN_AT_3, "precision@1 {at1:.3}, @3 {at3:.3}");
    assert!(sure_share >= MIN_SURE_RIGHT, "best matches right {sure_share:.3}");
}

const PAIRS: &str = include_str!("eval/pairs.tsv");
/// Measured 2026-12-03 at `similar::ALIKE` 0.40: precision 0.696, recall 0.487 (the set is
/// hard on purpose: the same problem in the same building days later, paraphrases sharing
/// no word). Floors just under.
const MIN_PAIR_PRECISION: f64 = 0.65;
const MIN_PAIR_RECALL: f64 = 0.45;

#[test]
fn duplicates_are_told_from_other_incidents() {
    use super::similar::{self, Pool, Report, Spot, ALIKE};
    let spot = |b: &str| match b.strip_prefix('b').and_then(|n| n.parse().ok()) {
        Some(n) => Spot::Building(n),
        None => Spot::Public,
    };
    let pairs: Vec<(bool, Spot, Vec<rules::Term>, Spot, Vec<rules::Term>, f64)> = PAIRS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            assert_eq!(c.len(), 6, "{l}");
            // As stored beside each demand and read back.
            let stored = |text: &str| similar::terms_of(&similar::tokens_of(&terms(text)));
            (c[0] == "same", spot(c[1]), stored(c[2]), spot(c[3]), stored(c[4]), c[5].trim().parse().expect("hours"))
        })
        .collect();
    assert!(pairs.len() >= 150);
    let pool = Pool::new(pairs.iter().flat_map(|p| [p.2.as_slice(), p.4.as_slice()]));
    let index = catalogue_index();
    let ranked =
        |t: &[rules::Term]| -> Vec<(String, f64)> { index.rank(t, 5).into_iter().map(|r| (r.code, r.score)).collect() };
    let scored: Vec<(bool, f64)> = pairs
        .iter()
        .map(|(same, sa, ta, sb, tb, hours)| {
            let (ra, rb) = (ranked(ta), ranked(tb));
            let a = Report { terms: ta, affairs: &ra, spot: *sa, at: 0 };
            let b = Report { terms: tb, affairs: &rb, spot: *sb, at: (hours * 3_600_000.0) as i64 };
            (*same, pool.similarity(&a, &b))
        })
        .collect();
    let measure = |at: f64| {
        let flagged = scored.iter().filter(|(_, s)| *s >= at).count();
        let right = scored.iter().filter(|(same, s)| *same && *s >= at).count();
        let same = scored.iter().filter(|(same, _)| *same).count();
        (right as f64 / flagged.max(1) as f64, right as f64 / same.max(1) as f64)
    };
    for at in [0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5] {
        let (p, r) = measure(at);
        println!("pairs: from {at:.2}: precision {p:.3}, recall {r:.3}");
    }
    for ((same, score), (_, _, ta, _, tb, _)) in scored.iter().zip(&pairs) {
        if *same != (*score >= ALIKE) {
            let keys = |t: &Vec<rules::Term>| t.iter().map(|t| t.key.as_str()).collect::<Vec<_>>().join(" ");
            println!("pair miss: same={same} {score:.3}\t{}\t|\t{}", keys(ta), keys(tb));
        }
    }
    let (p, r) = measure(ALIKE);
    println!(
        "pairs: {} ({} same), at {ALIKE}: precision {p:.3}, recall {r:.3}",
        scored.len(),
        scored.iter().filter(|s| s.0).count()
    );
    assert!(p >= MIN_PAIR_PRECISION && r >= MIN_PAIR_RECALL, "precision {p:.3}, recall {r:.3}");
}
