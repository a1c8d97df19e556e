//! Chinese words out of what residents write: jieba's search-mode segmentation over its own
//! dictionary plus the domain's (every affair's keywords, the synonyms), each word also
//! matched through its synonym group's head (灯泡 → 灯) and, for words of two characters or
//! more, its toneless pinyin (电悌 and 电梯 are both "dianti"; "dibao" typed in Latin letters
//! finds 低保).

use super::rules::{fold_width, is_stopword, Term};
use jieba_rs::Jieba;
use pinyin::ToPinyin;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

use super::rules::PINYIN_WEIGHT;

const SYNONYMS: &str = include_str!("synonyms.txt");
/// A match through the synonym group counts this much.
const SYNONYM_WEIGHT: f64 = 0.9;
/// The most characters segmented from one text (a demand holds at most 2,000).
const MAX_CHARS: usize = 2_000;

/// The built-in synonym groups' text: the file shipped, or a district's own
/// (`INTAKE_SYNONYMS_FILE`), read once.
static BUILT_IN: LazyLock<String> =
    LazyLock::new(|| match std::env::var("INTAKE_SYNONYMS_FILE").ok().filter(|p| !p.is_empty()) {
        Some(path) => match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                tracing::warn!(path, error = %e, "INTAKE_SYNONYMS_FILE unreadable: the built-in synonyms are used");
                SYNONYMS.to_string()
            }
        },
        None => SYNONYMS.to_string(),
    });

/// The synonym groups in force: each word to its group's head (the first word of its line).
/// The built-in groups come first (a word keeps the head it has there), then the groups
/// stations added (`set_station_groups`).
struct Vocabulary {
    head: HashMap<String, String>,
}

impl Vocabulary {
    fn of(text: &str) -> Vocabulary {
        Vocabulary { head: groups(text) }
    }
}

static GROUPS: LazyLock<RwLock<Arc<Vocabulary>>> = LazyLock::new(|| RwLock::new(Arc::new(Vocabulary::of(&BUILT_IN))));

fn vocabulary() -> Arc<Vocabulary> {
    GROUPS.read().unwrap_or_else(|e| e.into_inner()).clone()
}

/// The built-in groups, a line each (shown to the station beside its own).
pub fn built_in_lines() -> Vec<String> {
    BUILT_IN.lines().map(|l| l.split('#').next().unwrap_or("").trim().to_string()).filter(|l| !l.is_empty()).collect()
}

/// Puts the stations' groups (a line each, the head first) in force beside the built-in
/// ones, and teaches the segmenter their words.
pub fn set_station_groups(lines: &[String]) {
    let text = format!("{}\n{}", *BUILT_IN, lines.join("\n"));
    let next = Arc::new(Vocabulary::of(&text));
    let words: Vec<String> = lines.iter().flat_map(|l| l.split_whitespace().map(str::to_string)).collect();
    learn(&words);
    *GROUPS.write().unwrap_or_else(|e| e.into_inner()) = next;
}

/// jieba with the domain's words; loading its dictionary takes about half a second, once.
static JIEBA: LazyLock<RwLock<Jieba>> = LazyLock::new(|| {
    let mut j = Jieba::new();
    for word in vocabulary().head.keys() {
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

/// The domain's two-character words by their toneless pinyin: two lone characters that
/// sound like one (电悌 → 电梯, 漏睡 → 漏水) are read as that word.
static BY_SOUND: LazyLock<RwLock<HashMap<String, String>>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    let v = vocabulary();
    let words = v
        .head
        .keys()
        .map(String::as_str)
        .chain(crate::affairs::seed::affairs().into_iter().flat_map(|a| a.keywords.split_whitespace()));
    for w in words {
        by_sound(&mut map, w);
    }
    RwLock::new(map)
});

fn by_sound(map: &mut HashMap<String, String>, word: &str) {
    if word.chars().count() == 2 && word.chars().all(is_cjk) {
        map.entry(spell(word)).or_insert_with(|| word.to_string());
    }
}

fn spell(word: &str) -> String {
    word.to_pinyin().flatten().map(|p| p.plain()).collect()
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
    LazyLock::force(&BY_SOUND);
}

/// Teaches the segmenter words of a community's own affairs (keywords the station wrote).
pub fn learn(words: &[String]) {
    let unknown: Vec<&String> = {
        let j = JIEBA.read().unwrap_or_else(|e| e.into_inner());
        words.iter().filter(|w| w.chars().count() >= 2 && !w.is_ascii() && !j.has_word(w)).collect()
    };
    if !unknown.is_empty() {
        let mut sounds = BY_SOUND.write().unwrap_or_else(|e| e.into_inner());
        let mut j = JIEBA.write().unwrap_or_else(|e| e.into_inner());
        for w in unknown {
            add(&mut j, w);
            by_sound(&mut sounds, w);
        }
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// A word read from two lone characters by their sound counts this much.
const SOUND_WEIGHT: f64 = 0.8;

/// The words of a text, with their synonym and pinyin keys: jieba's search mode (a long
/// word and the dictionary words inside it: 最低生活保障 also gives 最低, 生活, 保障), what is
/// stored beside a text and what the intake ranks.
pub fn terms(text: &str) -> Vec<Term> {
    read(text, true)
}

/// A text's words as stored beside it for search and similarity (`tokens` columns).
pub fn tokens(text: &str) -> String {
    super::similar::tokens_of(&terms(text))
}

/// What a search asks for: one group per word the searcher typed (jieba's precise mode, so
/// 最低生活保障 stays one word), each group the keys any of which may match it: the word, its
/// synonym group's head, its pinyin. The head is enough for every word of the group: each
/// text stores the head of each of its words (and texts stored before a station added a
/// group are read again), so 低保 finds 最低生活保障 through 低保, the head of both. (Asking
/// for every word of the group instead measured twice the index work for nothing more.)
/// Words that only make a question (怎么, 办理) are left out; a typo's group is the word it
/// sounds like. At most `MAX_QUERY_GROUPS` groups, keys sorted.
pub fn query_groups(text: &str) -> Vec<Vec<String>> {
    let text: String = text.chars().take(200).collect();
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for t in read(&text, false) {
        match groups.iter_mut().find(|(surface, _)| *surface == t.surface) {
            Some((_, keys)) => keys.push(t.key),
            None => groups.push((t.surface, vec![t.key])),
        }
    }
    let mut out: Vec<Vec<String>> = Vec::new();
    for (surface, mut keys) in groups {
        // A pair of lone characters' pinyin alone (灯坏 → denghuai) is a guess, not a word
        // the searcher typed: only groups with a word in them are asked for.
        if !surface.is_ascii() && keys.iter().all(|k| k.is_ascii()) || is_question_word(&surface) {
            continue;
        }
        keys.sort();
        keys.dedup();
        if !out.contains(&keys) {
            out.push(keys);
        }
        if out.len() == MAX_QUERY_GROUPS {
            break;
        }
    }
    out
}

/// The most words one search asks for together.
pub const MAX_QUERY_GROUPS: usize = 8;

/// Words that make a question, not a subject: a search for "低保怎么办理" looks for 低保.
fn is_question_word(word: &str) -> bool {
    // A number in characters (五号楼's 五) says which building, and the building is a filter.
    if word.chars().all(|c| "零一二两三四五六七八九十百".contains(c)) {
        return true;
    }
    const ASKING: &[&str] =
        &["办理", "申请", "咨询", "问题", "反映", "情况", "事情", "相关", "关于", "需要", "解决", "处理"];
    ASKING.contains(&word)
}

fn read(text: &str, search_mode: bool) -> Vec<Term> {
    let text: String = fold_width(text).chars().take(MAX_CHARS).collect();
    let j = JIEBA.read().unwrap_or_else(|e| e.into_inner());
    let sounds = BY_SOUND.read().unwrap_or_else(|e| e.into_inner());
    let mut out = Vec::new();
    // Characters jieba left alone, one after another: where a word the dictionary does not
    // know (a typo: 电悌) ends up. Read together when the run ends.
    let mut run: Vec<char> = Vec::new();
    let mut run_end = 0;
    // Without jieba's HMM guesses: they glue unknown runs into words no affair has ("灯坏",
    // "电悌坏"); lone characters instead meet through their pairs' sound (measured on the
    // evaluation set: precision@3 0.844 against 0.836, and typos found).
    let tokens = if search_mode { j.cut_for_search(&text, false) } else { j.cut(&text, false) };
    for token in tokens {
        let word = token.word.trim();
        let mut chars = word.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            if is_cjk(c) {
                if run_end != token.byte_start {
                    lone_run(&mut out, &run, &sounds);
                    run.clear();
                }
                run.push(c);
                run_end = token.byte_end;
                continue;
            }
        }
        lone_run(&mut out, &run, &sounds);
        run.clear();
        if word.is_empty() || !word.chars().any(|c| c.is_alphanumeric()) || is_stopword(word) {
            continue;
        }
        push_word(&mut out, word, word, 1.0);
    }
    lone_run(&mut out, &run, &sounds);
    out
}

/// A run of lone characters: two that sound like a domain word are read as it (pairs
/// without a stop character first: in 楼电悌, 电悌 is 电梯, not 楼电 漏电); the others count
/// one by one, and each pair of them by its pinyin.
fn lone_run(out: &mut Vec<Term>, run: &[char], sounds: &HashMap<String, String>) {
    let stop = |c: char| is_stopword(c.encode_utf8(&mut [0; 4]));
    let mut read = vec![false; run.len()];
    for strict in [true, false] {
        for i in 1..run.len() {
            if read[i - 1] || read[i] || (strict && (stop(run[i - 1]) || stop(run[i]))) {
                continue;
            }
            let pair: String = run[i - 1..=i].iter().collect();
            if let Some(meant) = sounds.get(&spell(&pair)).filter(|w| **w != pair) {
                push_word(out, meant, &pair, SOUND_WEIGHT);
                (read[i - 1], read[i]) = (true, true);
            }
        }
    }
    for (i, &c) in run.iter().enumerate().filter(|(i, _)| !read[*i]) {
        if !stop(c) {
            let one = c.to_string();
            push_word(out, &one, &one, 1.0);
        }
        if let Some(&next) = run.get(i + 1).filter(|_| !read[i + 1]) {
            let pair: String = [c, next].iter().collect();
            out.push(Term { key: spell(&pair), surface: pair, weight: PINYIN_WEIGHT });
        }
    }
}

/// A word, its synonym group's head and, for a Chinese word, its pinyin.
fn push_word(out: &mut Vec<Term>, word: &str, surface: &str, weight: f64) {
    out.push(Term { key: word.to_string(), surface: surface.to_string(), weight });
    if let Some(head) = vocabulary().head.get(word).filter(|h| h.as_str() != word) {
        out.push(Term { key: head.clone(), surface: surface.to_string(), weight: weight * SYNONYM_WEIGHT });
    }
    let chinese = word.chars().filter(|c| is_cjk(*c)).count();
    if chinese >= 2 && chinese == word.chars().count() {
        out.push(Term { key: spell(word), surface: surface.to_string(), weight: weight * PINYIN_WEIGHT });
    }
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
        // Two lone characters that sound like a domain word are read as it, not as 电 and 悌.
        let t = terms("五号楼电悌坏了");
        assert!(t.iter().any(|t| t.key == "电梯" && t.surface == "电悌"), "{t:?}");
        assert!(!t.iter().any(|t| t.key == "电"), "{t:?}");
        assert!(keys("五号楼电悌坏了").contains(&"dianti".to_string()));
        assert!(keys("电梯").contains(&"dianti".to_string()));
        assert!(keys("dibao怎么申请").contains(&"dibao".to_string()));
        assert!(keys("低保").contains(&"dibao".to_string()));
    }

    #[test]
    fn a_search_asks_for_each_word_through_its_synonyms_and_pinyin() {
        let g = query_groups("最低生活保障怎么办理");
        // One group: 最低生活保障 whole (not 最低, 生活, 保障 each required), any of its
        // synonyms; the question words are not asked for.
        assert_eq!(g.len(), 1, "{g:?}");
        assert!(g[0].contains(&"低保".to_string()) && g[0].contains(&"最低生活保障".to_string()), "{g:?}");
        assert!(g[0].contains(&"zuidishenghuobaozhang".to_string()), "{g:?}");
        let g = query_groups("五号楼电悌");
        assert!(g.iter().any(|k| k.contains(&"电梯".to_string()) && k.contains(&"dianti".to_string())), "{g:?}");
        assert_eq!(
            query_groups("升降梯"),
            vec![vec!["shengjiangti".to_string(), "升降梯".to_string(), "电梯".to_string()]]
        );
        assert!(!g.iter().any(|k| k.contains(&"电".to_string())), "{g:?}");
        // Latin letters are a word of their own (dibao is also in 低保's group); a pair of
        // lone characters' pinyin is not.
        let g = query_groups("dibao");
        assert!(g.len() == 1 && g[0].contains(&"低保".to_string()), "dibao is a word of 低保's group: {g:?}");
        assert_eq!(query_groups("yibaoka"), vec![vec!["yibaoka".to_string()]]);
        let g = query_groups("灯坏了");
        assert!(g.iter().all(|k| k.iter().any(|w| !w.is_ascii())), "{g:?}");
        assert!(query_groups("怎么办理？").is_empty());
        assert!(query_groups(&"水管".repeat(50)).len() <= MAX_QUERY_GROUPS);
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
