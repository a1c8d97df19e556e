//! What a phone downloads: each page's code (wasm + JS) and style as the server sends them
//! with `Accept-Encoding: br`: the files compressed at build time, sent as they are (never
//! compressed per request), with hashed names cached for a year; pages themselves are
//! revalidated; a page without islands loads no code at all. Needs the browser build (`make build-front`); skipped with a message without it.

mod common;
use common::*;

/// The code budget a page may load, brotli on the wire: 100 KB.
const CODE_BUDGET: u64 = 100 * 1024;

fn site_pkg() -> std::path::PathBuf {
    let root = std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into());
    let root = std::path::PathBuf::from(root);
    // The tests run from the server crate's folder; the site is built at the workspace root.
    let root =
        if root.is_relative() { std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(root) } else { root };
    root.join("pkg")
}

/// The `/pkg/...` paths a page links (stylesheet, module preload, wasm).
fn pkg_links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("/pkg/") {
        let tail = &rest[at..];
        let end = tail.find(|c: char| c == '"' || c == '\'' || c == ')' || c.is_whitespace()).unwrap_or(tail.len());
        let link = tail[..end].to_string();
        if !out.contains(&link) {
            out.push(link);
        }
        rest = &tail[end..];
    }
    out
}

#[tokio::test]
async fn pages_load_precompressed_hashed_code_within_budget() {
    let pkg = site_pkg();
    let built = std::fs::read_dir(&pkg)
        .map(|d| d.flatten().any(|e| e.file_name().to_string_lossy().ends_with(".wasm.br")))
        .unwrap_or(false);
    if !built {
        eprintln!("SKIPPED: no precompressed browser build in {} (make build-front)", pkg.display());
        return;
    }
    let Some(db) = TestDb::create().await else { return };
    assert!(cli(&db, &["seed-demo", "--without-history"]).status.success());
    let site = pkg.parent().unwrap().canonicalize().unwrap();
    let server = TestServer::start(&db, &[("LEPTOS_SITE_ROOT", site.to_str().unwrap())]);
    // No automatic decompression (the crate is built without it): bytes as sent.
    let plain = reqwest::Client::new();
    for page in ["/", "/services", "/threads", "/login"] {
        let res = plain.get(server.url(page)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{page}");
        let cache = res.headers().get("cache-control").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        assert!(cache.contains("no-cache"), "{page}: pages are revalidated, got {cache:?}");
        let html = res.text().await.unwrap();
        // The hydration scripts wait in a template; only a page with an island puts them in.
        let islands = html.contains("<leptos-island");
        assert!(html.contains("<template id=\"island-loader\">"), "{page}: the loader");
        assert!(html.contains("querySelector('leptos-island')"), "{page}: the loader's script, unescaped");
        let links = pkg_links(&html);
        assert!(links.iter().any(|l| l.ends_with(".wasm")), "{page}: links {links:?}");
        let mut code = 0u64;
        for link in &links {
            let name = link.trim_start_matches("/pkg/");
            // Hashed: mycommunity.<hash>.<ext>.
            assert!(name.split('.').count() >= 3, "{link}: not a hashed name");
            let res = plain.get(server.url(link)).header("accept-encoding", "br, gzip").send().await.unwrap();
            assert_eq!(res.status(), 200, "{link}");
            let h = res.headers().clone();
            assert_eq!(h.get("content-encoding").map(|v| v.to_str().unwrap()), Some("br"), "{link}");
            assert_eq!(
                h.get("cache-control").map(|v| v.to_str().unwrap()),
                Some("public, max-age=31536000, immutable"),
                "{link}"
            );
            let body = res.bytes().await.unwrap();
            // Exactly the file the build compressed: nothing was compressed for this request.
            let on_disk = std::fs::read(pkg.join(format!("{name}.br"))).unwrap();
            assert!(body.as_ref() == on_disk.as_slice(), "{link}: the body is not the build's .br file");
            if islands && (name.ends_with(".wasm") || name.ends_with(".js")) {
                code += body.len() as u64;
            }
        }
        println!("{page}: islands {islands}, code on the wire {code} B brotli (budget {CODE_BUDGET} B)");
        assert!(code <= CODE_BUDGET, "{page}: {code} B of code over the budget {CODE_BUDGET} B");
    }
    // Without brotli the gzip file; without either, the file itself (still not compressed here).
    let html = plain.get(server.url("/")).send().await.unwrap().text().await.unwrap();
    let wasm = pkg_links(&html).into_iter().find(|l| l.ends_with(".wasm")).unwrap();
    let gz = plain.get(server.url(&wasm)).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(gz.headers().get("content-encoding").map(|v| v.to_str().unwrap()), Some("gzip"));
    let raw = plain.get(server.url(&wasm)).send().await.unwrap();
    assert!(raw.headers().get("content-encoding").is_none());
    assert_eq!(raw.headers().get("content-type").map(|v| v.to_str().unwrap()), Some("application/wasm"));
}
