//! "Is this the same incident?" (pure): two reports are alike when their words are (cosine
//! over the words' weights, rarer words weighing more) and so are the affairs their words
//! point to (residents say one thing many ways: 楼道灯不亮, 走廊黑了), they are at the same place (a
//! building's light is not the next building's), and close in time (the same spot days
//! later is more likely a new failure). Measured on `eval/pairs.tsv` (see `eval.rs`).

use super::rules::Term;
use std::collections::HashMap;

/// Where a report is, as far as "the same incident" goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spot {
    Building(i64),
    /// A public place of the community (a gate, the square, the car park): the words tell
    /// which.
    Public,
}

#[derive(Clone, Debug)]
pub struct Report<'a> {
    pub terms: &'a [Term],
    /// The affairs the words point to, best first, with their scores (`AffairIndex::rank`).
    pub affairs: &'a [(String, f64)],
    pub spot: Spot,
    /// UTC milliseconds.
    pub at: i64,
}

/// Shown as "me too?" from this score up. Chosen on the pairs set (`eval.rs`): precision
/// 0.70 and recall 0.49 there (0.30: 0.62 / 0.51; 0.50: 0.80 / 0.35). The resident decides;
/// the station merges what slips through.
pub const ALIKE: f64 = 0.40;
/// Reports this far apart are less likely one incident.
const SAME_SPELL_HOURS: f64 = 48.0;
const LATER_FACTOR: f64 = 0.6;
/// How much the words themselves count against the affairs they point to.
const WORDS_SHARE: f64 = 0.5;
/// A building and a public place: rarely one incident (a building's door, the gate).
const MIXED_SPOTS: f64 = 0.4;

/// Document frequencies of a pool of reports (the community's recent open demands and
/// the text being written): a word everyone writes (坏了) tells less than 井盖.
pub struct Pool {
    df: HashMap<String, usize>,
    n: usize,
}

impl Pool {
    pub fn new<'a>(texts: impl IntoIterator<Item = &'a [Term]>) -> Pool {
        let mut df: HashMap<String, usize> = HashMap::new();
        let mut n = 0;
        for terms in texts {
            n += 1;
            let mut seen: Vec<&str> = terms.iter().map(|t| t.key.as_str()).collect();
            seen.sort_unstable();
            seen.dedup();
            for k in seen {
                *df.entry(k.to_string()).or_default() += 1;
            }
        }
        Pool { df, n }
    }

    fn idf(&self, key: &str) -> f64 {
        let df = self.df.get(key).copied().unwrap_or(0) as f64;
        (1.0 + (self.n as f64 + 1.0) / (df + 1.0)).ln()
    }

    fn vector(&self, terms: &[Term]) -> HashMap<String, f64> {
        let mut v: HashMap<String, f64> = HashMap::new();
        // Pinyin keys find typos for the affairs' words; between two residents' texts
        // they mostly pair unrelated characters that sound alike (号楼 and 好楼). Once
        // stored they look like words typed in Latin letters: both are left out here.
        for t in terms.iter().filter(|t| !t.key.is_ascii()) {
            // A word and its pinyin or synonym head both count, but a word said twice
            // does not count twice as much.
            let w = v.entry(t.key.clone()).or_default();
            *w = w.max(t.weight * self.idf(&t.key));
        }
        v
    }

    /// The cosine of two texts' weighted words, 0 to 1.
    pub fn cosine(&self, a: &[Term], b: &[Term]) -> f64 {
        let (va, vb) = (self.vector(a), self.vector(b));
        let dot: f64 = va.iter().filter_map(|(k, x)| vb.get(k).map(|y| x * y)).sum();
        let norm = |v: &HashMap<String, f64>| v.values().map(|x| x * x).sum::<f64>().sqrt();
        let n = norm(&va) * norm(&vb);
        if n == 0.0 {
            0.0
        } else {
            dot / n
        }
    }

    /// How likely two reports are one incident, 0 to 1.
    pub fn similarity(&self, a: &Report, b: &Report) -> f64 {
        let place = match (a.spot, b.spot) {
            (Spot::Building(x), Spot::Building(y)) if x != y => return 0.0,
            (Spot::Building(_), Spot::Public) | (Spot::Public, Spot::Building(_)) => MIXED_SPOTS,
            _ => 1.0,
        };
        let hours = (a.at - b.at).abs() as f64 / 3_600_000.0;
        let time = if hours <= SAME_SPELL_HOURS { 1.0 } else { LATER_FACTOR };
        let words = self.cosine(a.terms, b.terms);
        let meaning = affairs_cosine(a.affairs, b.affairs);
        (WORDS_SHARE * words + (1.0 - WORDS_SHARE) * meaning) * place * time
    }
}

/// A text's words as stored beside it (`demands.tokens`): the keys, space-separated.
pub fn tokens_of(terms: &[Term]) -> String {
    let mut out = String::new();
    for t in terms {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&t.key);
    }
    out
}

/// Stored keys read back as words: a Latin key of a Chinese word is its pinyin and counts
/// less, as when it was segmented (a synonym's head counts in full here).
pub fn terms_of(tokens: &str) -> Vec<Term> {
    tokens
        .split_whitespace()
        .map(|k| Term {
            key: k.to_string(),
            surface: String::new(),
            weight: if k.is_ascii() { super::rules::PINYIN_WEIGHT } else { 1.0 },
        })
        .collect()
}

/// The cosine of two rankings of affairs (an affair missing from one scores 0 there).
pub fn affairs_cosine(a: &[(String, f64)], b: &[(String, f64)]) -> f64 {
    let dot: f64 = a.iter().filter_map(|(k, x)| b.iter().find(|(l, _)| l == k).map(|(_, y)| x * y)).sum();
    let norm = |v: &[(String, f64)]| v.iter().map(|(_, x)| x * x).sum::<f64>().sqrt();
    let n = norm(a) * norm(b);
    if n == 0.0 {
        0.0
    } else {
        dot / n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(words: &[&str]) -> Vec<Term> {
        words.iter().map(|w| Term { key: w.to_string(), surface: w.to_string(), weight: 1.0 }).collect()
    }

    #[test]
    fn alike_words_at_one_place_and_time_are_one_incident() {
        let (a, b, c) = (t(&["楼道", "灯", "坏了"]), t(&["走廊", "楼道", "灯", "坏了"]), t(&["电梯", "坏了"]));
        let pool = Pool::new([a.as_slice(), b.as_slice(), c.as_slice()]);
        let light = [("light".to_string(), 3.0)];
        let r = |terms, spot, h: i64| Report { terms, affairs: &light, spot, at: h * 3_600_000 };
        let same = pool.similarity(&r(&a, Spot::Building(3), 0), &r(&b, Spot::Building(3), 20));
        assert!(same > ALIKE, "{same}");
        assert_eq!(pool.similarity(&r(&a, Spot::Building(3), 0), &r(&b, Spot::Building(4), 1)), 0.0);
        let lift = [("lift".to_string(), 3.0)];
        let c_lift = Report { terms: &c, affairs: &lift, spot: Spot::Building(3), at: 3_600_000 };
        let other = pool.similarity(&r(&a, Spot::Building(3), 0), &c_lift);
        assert!(other < same / 2.0, "a shared 坏了 tells little: {other}");
        let later = pool.similarity(&r(&a, Spot::Building(3), 0), &r(&b, Spot::Building(3), 70));
        assert!(later < same, "days later: maybe a new failure");
        assert_eq!(pool.cosine(&[], &a), 0.0);
        let (light, lift) =
            (vec![("light".to_string(), 4.0), ("lift".to_string(), 1.0)], vec![("lift".to_string(), 5.0)]);
        assert!((affairs_cosine(&light, &light) - 1.0).abs() < 1e-9);
        assert!(affairs_cosine(&light, &lift) < 0.3);
        assert_eq!(affairs_cosine(&light, &[]), 0.0);
    }
}
