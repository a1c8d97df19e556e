//! Pure rules of smart intake: ranking the affairs for what a resident wrote (BM25 over
//! each affair's weighted text and the words of past demands filed under it), and why.
//! Words come in already segmented ([`Term`]): the segmenter (jieba, the domain dictionary,
//! synonyms, pinyin) is server-only.

use std::collections::HashMap;

/// One word of a text as the ranking sees it: `key` is what is matched (the word, its
/// synonym group's head, or its pinyin), `surface` what the resident wrote, `weight` how
/// much a match on this key counts (a pinyin match less than the word itself).
#[derive(Clone, Debug, PartialEq)]
pub struct Term {
    pub key: String,
    pub surface: String,
    pub weight: f64,
}

/// A match through pinyin counts this much of a match on the word.
pub const PINYIN_WEIGHT: f64 = 0.6;

/// How much each part of an affair's text counts: its name most, then its keywords.
pub const NAME_WEIGHT: f64 = 3.0;
pub const KEYWORD_WEIGHT: f64 = 2.0;
pub const DESCRIPTION_WEIGHT: f64 = 1.0;
pub const DOCUMENTS_WEIGHT: f64 = 0.3;
/// Each past demand filed under the affair (staff corrections included: a demand counts
/// for the affair it ends up under).
pub const PAST_WEIGHT: f64 = 0.5;
/// A post that chose no affair is filed under the best match only when it scores at least
/// this and leads the next by [`CLEAR_LEAD`]; otherwise it stays "other" for the station.
/// Chosen on the evaluation set (`eval.rs`): 68% of its sentences are filed so, 84% of them
/// rightly; the score alone (1.5) filed 96% but only 71% rightly.
pub const SURE_ENOUGH: f64 = 3.0;
pub const CLEAR_LEAD: f64 = 1.3;

/// The best of a ranking if it is clear enough to file a post under it unasked.
pub fn clear_best(ranked: &[Ranked]) -> Option<&Ranked> {
    let best = ranked.first()?;
    let next = ranked.get(1).map_or(0.0, |r| r.score);
    (best.score >= SURE_ENOUGH && best.score >= next * CLEAR_LEAD).then_some(best)
}

/// A word of past demands that the catalogue does not use counts only once this many
/// different residents wrote it: one resident's unusual word (a name, a door number, a
/// word typed to push a post one way) never shapes the suggestions or shows as a "why".
pub const MIN_WRITERS: usize = 3;

/// Past demands' words as they may count: those the catalogue knows (`known` keys), and
/// the others written by at least [`MIN_WRITERS`] different residents. `past` is (writer,
/// words) per demand; the answer keeps its order.
pub fn shared_words(past: &[(i64, Vec<Term>)], known: &std::collections::HashSet<String>) -> Vec<Vec<Term>> {
    let mut writers: HashMap<&str, std::collections::HashSet<i64>> = HashMap::new();
    for (who, terms) in past {
        for t in terms.iter().filter(|t| !known.contains(&t.key)) {
            writers.entry(t.key.as_str()).or_default().insert(*who);
        }
    }
    let counts =
        |t: &Term| known.contains(&t.key) || writers.get(t.key.as_str()).is_some_and(|w| w.len() >= MIN_WRITERS);
    past.iter().map(|(_, terms)| terms.iter().filter(|t| counts(t)).cloned().collect()).collect()
}

const K1: f64 = 1.2;
const B: f64 = 0.75;

/// An affair's words, weighted by where they come from.
#[derive(Clone, Debug, Default)]
pub struct AffairDoc {
    pub code: String,
    pub name: String,
    terms: HashMap<String, f64>,
    len: f64,
}

impl AffairDoc {
    pub fn new(code: &str, name: &str) -> AffairDoc {
        AffairDoc { code: code.to_string(), name: name.to_string(), ..Default::default() }
    }

    /// Adds a part of the affair's text, segmented, at a weight.
    pub fn add(&mut self, terms: &[Term], weight: f64) {
        for t in terms {
            let w = weight * t.weight;
            *self.terms.entry(t.key.clone()).or_default() += w;
            self.len += w;
        }
    }
}

/// The affairs of one community, ready to rank.
#[derive(Clone, Debug, Default)]
pub struct AffairIndex {
    docs: Vec<AffairDoc>,
    /// In how many affairs each key occurs.
    df: HashMap<String, usize>,
    avg_len: f64,
}

/// An affair ranked for a text: its score and the resident's words that matched, the
/// strongest first.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranked {
    pub code: String,
    pub name: String,
    pub score: f64,
    pub why: Vec<String>,
}

impl AffairIndex {
    pub fn new(docs: Vec<AffairDoc>) -> AffairIndex {
        let mut df: HashMap<String, usize> = HashMap::new();
        for d in &docs {
            for k in d.terms.keys() {
                *df.entry(k.clone()).or_default() += 1;
            }
        }
        let avg_len = if docs.is_empty() { 1.0 } else { docs.iter().map(|d| d.len).sum::<f64>() / docs.len() as f64 };
        AffairIndex { docs, df, avg_len: avg_len.max(1.0) }
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    fn idf(&self, key: &str) -> f64 {
        let n = self.docs.len() as f64;
        let df = self.df.get(key).copied().unwrap_or(0) as f64;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    /// The affairs that match the text at all, best first (ties by code), at most `limit`.
    pub fn rank(&self, query: &[Term], limit: usize) -> Vec<Ranked> {
        // A word said twice counts once; of its keys (word, synonym, pinyin) each once, at
        // the weight of its strongest occurrence.
        let mut keys: Vec<(&str, &str, f64)> = Vec::new();
        for t in query {
            match keys.iter_mut().find(|(k, _, _)| *k == t.key) {
                Some(k) if k.2 < t.weight => *k = (&t.key, &t.surface, t.weight),
                Some(_) => {}
                None => keys.push((&t.key, &t.surface, t.weight)),
            }
        }
        let mut ranked: Vec<Ranked> = self
            .docs
            .iter()
            .filter_map(|d| {
                let mut score = 0.0;
                let mut because: Vec<(&str, f64)> = Vec::new();
                for (key, surface, weight) in &keys {
                    let Some(tf) = d.terms.get(*key) else { continue };
                    let norm = K1 * (1.0 - B + B * d.len / self.avg_len);
                    let s = weight * self.idf(key) * tf * (K1 + 1.0) / (tf + norm);
                    score += s;
                    match because.iter_mut().find(|(w, _)| w == surface) {
                        Some(b) => b.1 += s,
                        None => because.push((surface, s)),
                    }
                }
                (score > 0.0).then(|| {
                    because.sort_by(|a, b| b.1.total_cmp(&a.1));
                    Ranked {
                        code: d.code.clone(),
                        name: d.name.clone(),
                        score,
                        why: because.into_iter().take(3).map(|(w, _)| w.to_string()).collect(),
                    }
                })
            })
            .collect();
        ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.code.cmp(&b.code)));
        ranked.truncate(limit);
        ranked
    }
}

/// Full-width letters, digits and signs as their ASCII selves, letters in lower case: a
/// phone keyboard's "ＷＩＦＩ" is "wifi".
pub fn fold_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Words that say nothing about which affair is meant (function words, politeness, the
/// address): never matched.
pub fn is_stopword(word: &str) -> bool {
    const STOP: &[&str] = &[
        "的",
        "了",
        "吗",
        "呢",
        "啊",
        "吧",
        "呀",
        "哦",
        "嗯",
        "我",
        "你",
        "您",
        "他",
        "她",
        "它",
        "我们",
        "咱们",
        "咱",
        "你们",
        "他们",
        "有",
        "是",
        "在",
        "要",
        "想",
        "能",
        "会",
        "可以",
        "怎么",
        "怎么办",
        "怎样",
        "如何",
        "什么",
        "啥",
        "哪",
        "哪里",
        "哪儿",
        "去",
        "来",
        "给",
        "和",
        "跟",
        "与",
        "就",
        "都",
        "也",
        "还",
        "又",
        "这",
        "那",
        "这个",
        "那个",
        "个",
        "一",
        "一下",
        "不",
        "没",
        "没有",
        "很",
        "太",
        "好",
        "请",
        "请问",
        "问",
        "问问",
        "帮",
        "帮忙",
        "麻烦",
        "谢谢",
        "社区",
        "居委会",
        "一个",
        "现在",
        "今天",
        "昨天",
        "已经",
        "还是",
        "但是",
        "因为",
        "所以",
        "如果",
        "家",
        "里",
        "号",
        "号楼",
        "楼",
        "单元",
        "层",
        "室",
        "户",
        "门口",
        "附近",
        "一直",
        "好几天",
        "几天",
        "天",
        "了吗",
        "着",
        "过",
        "把",
        "被",
        "让",
        "对",
        "从",
        "到",
        "说",
        "看",
        "看看",
        "办",
        "弄",
        "找",
        "谁",
        "啦",
        "么",
        "呗",
    ];
    word.chars().all(|c| c.is_ascii_digit()) || STOP.contains(&word)
}

/// Precision at 1 and at 3 of rankings against their labels, as fractions.
pub fn precision(results: &[(String, Vec<String>)]) -> (f64, f64) {
    if results.is_empty() {
        return (0.0, 0.0);
    }
    let n = results.len() as f64;
    let at1 = results.iter().filter(|(label, got)| got.first() == Some(label)).count() as f64;
    let at3 = results.iter().filter(|(label, got)| got.iter().take(3).any(|g| g == label)).count() as f64;
    (at1 / n, at3 / n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_words_count_when_the_catalogue_knows_them_or_three_residents_wrote_them() {
        let t = |k: &str| Term { key: k.into(), surface: k.into(), weight: 1.0 };
        let known: std::collections::HashSet<String> = ["灯".to_string()].into();
        let past = vec![
            (1, vec![t("灯"), t("张三"), t("井盖")]),
            (2, vec![t("井盖")]),
            (2, vec![t("井盖"), t("张三")]),
            (3, vec![t("井盖")]),
        ];
        let kept = shared_words(&past, &known);
        let keys = |v: &Vec<Term>| v.iter().map(|t| t.key.clone()).collect::<Vec<_>>();
        assert_eq!(keys(&kept[0]), ["灯", "井盖"], "张三: two writers only (one wrote it twice)");
        assert_eq!(keys(&kept[2]), ["井盖"]);
        assert_eq!(kept.len(), 4);
    }

    fn ranked(scores: &[f64]) -> Vec<Ranked> {
        scores
            .iter()
            .enumerate()
            .map(|(i, s)| Ranked { code: format!("a{i}"), name: String::new(), score: *s, why: Vec::new() })
            .collect()
    }

    #[test]
    fn only_a_clear_best_files_a_post_unasked() {
        assert_eq!(clear_best(&ranked(&[6.0, 4.0])).map(|r| r.code.as_str()), Some("a0"));
        assert_eq!(clear_best(&ranked(&[3.0])).map(|r| r.code.as_str()), Some("a0"), "alone and sure enough");
        assert!(clear_best(&ranked(&[2.9])).is_none(), "too weak");
        assert!(clear_best(&ranked(&[6.0, 5.0])).is_none(), "too close to the next");
        assert!(clear_best(&[]).is_none());
    }

    fn t(words: &str) -> Vec<Term> {
        words.split(' ').map(|w| Term { key: w.into(), surface: w.into(), weight: 1.0 }).collect()
    }

    fn index() -> AffairIndex {
        let mut light = AffairDoc::new("shared-facilities-repair", "公共设施报修");
        light.add(&t("公共 设施 报修"), NAME_WEIGHT);
        light.add(&t("楼道 灯 电梯 单元门"), KEYWORD_WEIGHT);
        let mut water = AffairDoc::new("plumbing-repair", "水管维修");
        water.add(&t("水管 维修"), NAME_WEIGHT);
        water.add(&t("漏水 下水 堵"), KEYWORD_WEIGHT);
        let mut dibao = AffairDoc::new("minimum-living-allowance", "最低生活保障（低保）申请");
        dibao.add(&t("最低 生活 保障 低保 申请"), NAME_WEIGHT);
        dibao.add(&t("低保 救助"), KEYWORD_WEIGHT);
        AffairIndex::new(vec![light, water, dibao])
    }

    #[test]
    fn the_affair_whose_words_match_ranks_first_and_says_why() {
        let r = index().rank(&t("楼道 灯 坏"), 5);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].code, "shared-facilities-repair");
        assert_eq!(r[0].why.len(), 2);
        assert!(r[0].why.contains(&"灯".to_string()) && r[0].why.contains(&"楼道".to_string()));
        assert!(index().rank(&t("天气 真 好"), 5).is_empty(), "nothing matches: nothing suggested");
    }

    #[test]
    fn a_rare_word_outweighs_a_common_one_and_repeats_count_once() {
        let mut common = AffairDoc::new("a", "A");
        common.add(&t("申请"), NAME_WEIGHT);
        let mut rare = AffairDoc::new("b", "B");
        rare.add(&t("申请 低保"), NAME_WEIGHT);
        let mut other = AffairDoc::new("c", "C");
        other.add(&t("申请 入党"), NAME_WEIGHT);
        let idx = AffairIndex::new(vec![common, rare, other]);
        let r = idx.rank(&t("低保 申请 申请 申请"), 5);
        assert_eq!(r[0].code, "b");
        assert_eq!(r[0].why[0], "低保");
        let once = idx.rank(&t("低保 申请"), 5);
        assert!((once[0].score - r[0].score).abs() < 1e-9);
    }

    #[test]
    fn a_weaker_key_counts_less_and_the_strongest_occurrence_wins() {
        let idx = index();
        let word = idx.rank(&t("低保"), 1)[0].score;
        let pinyin = idx.rank(&[Term { key: "低保".into(), surface: "dibao".into(), weight: 0.5 }], 1)[0].clone();
        assert!(pinyin.score < word && pinyin.score > 0.0);
        assert_eq!(pinyin.why, ["dibao"]);
        let both = [
            Term { key: "低保".into(), surface: "dibao".into(), weight: 0.5 },
            Term { key: "低保".into(), surface: "低保".into(), weight: 1.0 },
        ];
        assert!((idx.rank(&both, 1)[0].score - word).abs() < 1e-9);
    }

    #[test]
    fn ties_go_by_code_and_the_limit_holds() {
        let mut a = AffairDoc::new("b-second", "B");
        a.add(&t("灯"), 1.0);
        let mut b = AffairDoc::new("a-first", "A");
        b.add(&t("灯"), 1.0);
        let r = AffairIndex::new(vec![a, b]).rank(&t("灯"), 1);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].code, "a-first");
    }

    #[test]
    fn full_width_and_case_fold() {
        assert_eq!(fold_width("ＷＩＦＩ坏了　３号楼"), "wifi坏了 3号楼");
        assert_eq!(fold_width("DiBao"), "dibao");
    }

    #[test]
    fn stopwords_and_numbers_are_not_matched() {
        assert!(is_stopword("的") && is_stopword("社区") && is_stopword("302"));
        assert!(!is_stopword("灯") && !is_stopword("低保") && !is_stopword("wifi"));
    }

    #[test]
    fn precision_counts_the_label_in_the_first_and_the_first_three() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let results = vec![
            ("a".to_string(), s(&["a", "b"])),
            ("b".to_string(), s(&["a", "c", "b"])),
            ("c".to_string(), s(&["a", "b", "d", "c"])),
            ("d".to_string(), s(&[])),
        ];
        assert_eq!(precision(&results), (0.25, 0.5));
    }
}
