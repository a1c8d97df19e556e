//! The layout rules, checked on the sources themselves: each table has one writer (the
//! feature folder that owns it), and no feature folder imports another that imports it
//! back, except the router (`shell`), which nothing imports.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each table and the one feature that writes it. A new table gets its line here.
const OWNERS: &[(&str, &str)] = &[
    ("activities", "activities"),
    ("activity_signups", "activities"),
    ("affairs", "affairs"),
    ("affair_templates", "affairs"),
    ("api_key_usage", "open311"),
    ("api_keys", "open311"),
    ("app_secrets", "surveys"),
    ("appointment_ratings", "ratings"),
    ("appointment_slots", "appointments"),
    ("appointments", "appointments"),
    ("auth_failures", "auth"),
    ("admin_audit", "setup"),
    ("buildings", "community"),
    ("board_counts", "work"),
    ("case_notes", "work"),
    ("claim_codes", "auth"),
    ("closed_days", "appointments"),
    ("community_settings", "community"),
    ("consents", "auth"),
    ("demands", "demands"),
    ("departments", "community"),
    ("notices", "notices"),
    ("notice_reads", "notices"),
    ("notice_files", "notices"),
    ("urges", "supervision"),
    ("public_outcomes", "transparency"),
    ("unit_ratings", "ratings"),
    ("co_ratings", "ratings"),
    ("co_requesters", "demands"),
    ("synonym_groups", "intake"),
    ("spaces", "spaces"),
    ("space_slots", "spaces"),
    ("space_bookings", "spaces"),
    ("households", "rounds"),
    ("household_visits", "rounds"),
    ("household_care_log", "rounds"),
    ("family_links", "family"),
    ("flags", "threads"),
    ("form_drafts", "form"),
    ("grid_areas", "community"),
    ("handoffs", "work"),
    ("home_visits", "visits"),
    ("meeting_signups", "threads"),
    ("meetings", "threads"),
    ("notifications", "notifications"),
    ("deliveries", "notifications"),
    ("sms_quota", "notifications"),
    ("push_keys", "notifications"),
    ("push_subscriptions", "notifications"),
    ("reach_choices", "notifications"),
    ("reach_settings", "notifications"),
    ("open311_links", "open311"),
    ("open311_outbox", "open311"),
    ("open311_requests", "open311"),
    ("partners", "affairs"),
    ("personal_data_reads", "case"),
    ("photos", "photos"),
    ("ratings", "ratings"),
    ("regions", "community"),
    ("sessions", "auth"),
    ("sms_codes", "verify"),
    ("station_hours", "appointments"),
    ("survey_answers", "surveys"),
    ("survey_questions", "surveys"),
    ("survey_responses", "surveys"),
    ("surveys", "surveys"),
    ("thread_comments", "threads"),
    ("thread_milestones", "threads"),
    ("thread_supports", "threads"),
    ("threads", "threads"),
    ("trusted_devices", "auth"),
    ("users", "auth"),
    ("visit_proposals", "visits"),
    ("whistles", "work"),
    ("work_events", "work"),
    ("work_items", "work"),
    ("worker_load", "work"),
    ("worker_assessments", "ratings"),
];

/// Writes whose table is a name chosen in code (`INSERT INTO {table}`): the file and the
/// tables it may name.
const DYNAMIC: &[(&str, &[&str])] = &[
    ("ratings/server.rs", &["ratings", "appointment_ratings"]),
    ("community/server.rs", &["community_settings"]),
    ("notifications/queue.rs", &["deliveries", "sms_quota", "reach_choices", "reach_settings"]),
    ("auth/server/accounts.rs", &["sessions", "trusted_devices", "consents", "claim_codes"]),
];

/// The capacity engine (`places`) takes places on behalf of the features that own them:
/// a meeting's (threads) and an activity's (activities), only when those call it.
const DELEGATES: &[(&str, &str, &[&str])] = &[
    ("places/server.rs", "threads", &["meetings", "meeting_signups"]),
    ("places/server.rs", "activities", &["activities", "activity_signups"]),
];

fn src() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `src/` with its path relative to it, test modules cut off.
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).expect("src is readable").flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(&src(), &mut files);
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(src()).expect("under src").to_string_lossy().replace('\\', "/");
            let text = std::fs::read_to_string(&p).expect("readable source");
            // Comments name other features without using them.
            let code: String = text
                .split("#[cfg(test)]")
                .next()
                .unwrap_or("")
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            (rel, code)
        })
        .filter(|(rel, _)| rel != "layout.rs")
        .collect()
}

/// The feature a file belongs to: its folder, or the file itself at the top.
fn feature(rel: &str) -> String {
    rel.split('/').next().unwrap_or(rel).trim_end_matches(".rs").to_string()
}

/// The tables a piece of code writes: `INSERT INTO t`, `UPDATE t`, `DELETE FROM t`.
fn written(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for verb in ["INSERT INTO", "UPDATE", "DELETE FROM"] {
        let mut rest = code;
        while let Some(i) = rest.find(verb) {
            let before = rest[..i].chars().last();
            rest = &rest[i + verb.len()..];
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let name: String = rest
                .trim_start_matches(|c: char| c.is_whitespace() || c == '\\')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push(name);
            }
        }
    }
    out
}

#[test]
fn every_table_has_one_writer() {
    let owners: BTreeMap<&str, &str> = OWNERS.iter().copied().collect();
    let migrations = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/sqlite");
    let mut tables = BTreeSet::new();
    for e in std::fs::read_dir(migrations).expect("migrations").flatten() {
        let sql = std::fs::read_to_string(e.path()).expect("migration");
        for part in sql.split("CREATE TABLE").skip(1) {
            let name: String = part
                .trim_start()
                .trim_start_matches("IF NOT EXISTS")
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            tables.insert(name);
        }
    }
    for t in &tables {
        assert!(owners.contains_key(t.as_str()), "table {t} has no owner in layout.rs");
    }
    let mut wrong = Vec::new();
    for (rel, code) in sources() {
        let here = feature(&rel);
        for t in written(&code).into_iter().filter(|t| tables.contains(t)) {
            if owners[t.as_str()] != here {
                wrong.push(format!("{rel} writes {t} (owner: {})", owners[t.as_str()]));
            }
        }
    }
    for (file, named) in DYNAMIC {
        for t in *named {
            assert_eq!(owners[t], feature(file), "{file} writes {t}");
        }
    }
    for (file, owner, named) in DELEGATES {
        for t in *named {
            assert_eq!(owners[t], *owner, "{file} takes places in {t} for {owner}");
        }
    }
    let callers: Vec<String> = sources()
        .into_iter()
        .filter(|(_, code)| code.contains("places::server::"))
        .map(|(rel, _)| feature(&rel))
        .collect();
    assert!(callers.iter().all(|c| DELEGATES.iter().any(|d| d.1 == c)), "places called by {callers:?}");
    assert!(wrong.is_empty(), "writes outside the owner:\n{}", wrong.join("\n"));
}

#[test]
fn no_import_cycles_between_features() {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let features: BTreeSet<String> = sources().iter().map(|(rel, _)| feature(rel)).collect();
    for (rel, code) in sources() {
        let from = feature(&rel);
        let mut uses = BTreeSet::new();
        for (i, _) in code.match_indices("crate::") {
            let name: String = code[i + 7..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            uses.insert(name);
        }
        // `use crate::{a, b::c}`
        for (i, _) in code.match_indices("crate::{") {
            let inner = &code[i + 8..];
            let inner = &inner[..inner.find('}').unwrap_or(0)];
            for part in inner.split(',') {
                uses.insert(part.trim().split("::").next().unwrap_or("").to_string());
            }
        }
        for to in uses.into_iter().filter(|t| features.contains(t) && *t != from) {
            edges.entry(from.clone()).or_default().insert(to);
        }
    }
    for (from, tos) in &edges {
        if from != "shell" {
            assert!(!tos.contains("shell"), "{from} imports the router");
        }
    }
    // Every path from a feature must never come back to it.
    let mut cycles = Vec::new();
    for start in edges.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<(String, Vec<String>)> = vec![(start.clone(), vec![start.clone()])];
        while let Some((at, path)) = stack.pop() {
            for next in edges.get(&at).into_iter().flatten() {
                if next == start {
                    cycles.push(format!("{} -> {start}", path.join(" -> ")));
                } else if seen.insert(next.clone()) {
                    let mut p = path.clone();
                    p.push(next.clone());
                    stack.push((next.clone(), p));
                }
            }
        }
    }
    cycles.sort();
    cycles.dedup();
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_checker_sees_writes() {
    assert_eq!(written("sqlx::query(\"UPDATE work_items SET state = $1\")"), vec!["work_items"]);
    assert_eq!(written("\"INSERT INTO demands (a) VALUES ($1)\""), vec!["demands"]);
    assert_eq!(written("\"DELETE FROM photos WHERE\""), vec!["photos"]);
    assert!(written("last_updated_at").is_empty());
}
