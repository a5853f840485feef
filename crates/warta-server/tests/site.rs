//! The public site under the page cache (issue 7) and the sitemap of any
//! size (issue 9), over real HTTP against the real server on a real SQLite
//! file or a real PostgreSQL database.
//!
//! Expected values: what was just published through the API (a page must
//! never be older than the last publish this node answered); the security
//! headers the router sets (`routes::security_headers`, the OWASP Secure
//! Headers project's values); the sitemaps.org protocol (one `<loc>` per
//! URL, `sitemapindex` past the limits); and `GENERATION_TTL`, the promised
//! bound on how stale another node's publish may look.

mod common;

use common::{test_models, PgDatabase, TestApp, CONFIG};
use serde_json::json;
use warta_server::page_cache::GENERATION_TTL;

fn metric(metrics: &str, name: &str) -> u64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("{name} not in {metrics}"))
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap()
}

fn article(slug: &str, title: &str) -> serde_json::Value {
    json!({"slug": slug, "title": title, "summary": "Rain.", "body_html": "<p>Good morning.</p>"})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_change_appears_on_the_next_request_of_the_same_node() {
    let app = TestApp::spawn(0).await;
    assert_eq!(
        app.post_article(&article("floods", "Floods hit the city"))
            .await
            .status()
            .as_u16(),
        202
    );
    for _ in 0..3 {
        let (status, html) = app.page("/en/floods").await;
        assert_eq!(status, 200);
        assert!(html.contains("Floods hit the city"));
        assert!(app.page("/en/").await.1.contains("Floods hit the city"));
        assert!(app
            .page("/en/feed.xml")
            .await
            .1
            .contains("Floods hit the city"));
    }
    let (_, metrics) = app.page("/metrics").await;
    assert!(
        metric(&metrics, "warta_page_cache_hits_total") >= 6,
        "repeated pages come from the cache: {metrics}"
    );

    // A new revision: the next request shows it, on every page.
    app.post_article(&article("floods", "Floods recede")).await;
    let (_, html) = app.page("/en/floods").await;
    assert!(
        html.contains("Floods recede") && !html.contains("Floods hit the city"),
        "{html}"
    );
    assert!(app.page("/en/").await.1.contains("Floods recede"));
    assert!(app.page("/en/feed.xml").await.1.contains("Floods recede"));

    // A human translation: its page, the language's front page and feed,
    // and the hreflang alternates of the source page.
    assert_eq!(app.page("/pt/floods").await.0, 404);
    let put = app
        .client
        .put(format!("{}/api/v1/articles/floods/pt", app.base))
        .bearer_auth(&app.key)
        .json(&json!({"title": "As cheias recuam", "body_html": "<p>Bom dia.</p>"}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status().as_u16(), 200);
    assert!(app.page("/pt/floods").await.1.contains("As cheias recuam"));
    assert!(app.page("/pt/").await.1.contains("As cheias recuam"));
    assert!(app.page("/en/floods").await.1.contains(r#"hreflang="pt""#));
    assert!(app.page("/sitemap.xml").await.1.contains("/pt/floods"));

    // A delete: gone from everything at once.
    let r = app
        .client
        .delete(format!("{}/api/v1/articles/floods", app.base))
        .bearer_auth(&app.key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    for path in ["/en/floods", "/pt/floods"] {
        assert_eq!(app.page(path).await.0, 404, "{path}");
    }
    for path in ["/en/", "/pt/", "/en/feed.xml", "/sitemap.xml"] {
        assert!(!app.page(path).await.1.contains("/floods"), "{path}");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cached_responses_keep_security_headers_and_revalidate() {
    let app = TestApp::spawn(0).await;
    app.post_article(&article("headers", "Headers")).await;
    let expected: Vec<(String, String)> = warta_server::routes::security_headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string()))
        .collect();
    for path in ["/en/headers", "/en/", "/en/feed.xml", "/sitemap.xml"] {
        let first = get(&app, path).await;
        let etag = first.headers()["etag"].clone();
        let before = metric(&app.page("/metrics").await.1, "warta_page_cache_hits_total");
        let second = get(&app, path).await;
        let after = metric(&app.page("/metrics").await.1, "warta_page_cache_hits_total");
        assert_eq!(
            after,
            before + 1,
            "{path}: the second response came from the cache"
        );
        for r in [&first, &second] {
            for (name, value) in &expected {
                assert_eq!(
                    r.headers().get(name).and_then(|v| v.to_str().ok()),
                    Some(value.as_str()),
                    "{path}: {name}"
                );
            }
            assert_eq!(r.headers()["etag"], etag, "{path}");
            assert!(r.headers().contains_key("last-modified"), "{path}");
            assert!(
                r.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .contains("charset=utf-8"),
                "{path}"
            );
        }
        let r = app
            .client
            .get(format!("{}{path}", app.base))
            .header("if-none-match", etag.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 304, "{path}");
        assert_eq!(r.headers()["etag"], etag);
        assert!(
            r.headers().contains_key("content-security-policy"),
            "{path}: on 304 too"
        );
    }
    app.stop().await;
}

/// Two nodes on one PostgreSQL database: a publish through node A shows on
/// node B once B's last reading of the site generation is `GENERATION_TTL`
/// old, without anything telling B.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_node_sees_a_publish_once_its_generation_ttl_has_passed() {
    let Some(pg) = PgDatabase::create() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let config = format!("{CONFIG}database_url = \"{}\"\n", pg.url);
    let a = TestApp::start_with(&config, &tmp.path().join("a"), &test_models(), 0, None).await;
    let b = TestApp::start_with(
        &config,
        &tmp.path().join("b"),
        &test_models(),
        0,
        Some(a.key.clone()),
    )
    .await;
    a.post_article(&article("nodes", "First words")).await;
    // B is told nothing and must look again once its reading of the
    // generation is GENERATION_TTL old: its clock, which the page cache
    // times that reading by, moves on.
    b.app().clock.advance(GENERATION_TTL);
    assert!(b.page("/en/nodes").await.1.contains("First words"));
    assert!(
        b.page("/en/nodes").await.1.contains("First words"),
        "cached on B"
    );

    a.post_article(&article("nodes", "Second words")).await;
    assert!(
        a.page("/en/nodes").await.1.contains("Second words"),
        "A at once"
    );
    b.app().clock.advance(GENERATION_TTL);
    let (_, html) = b.page("/en/nodes").await;
    assert!(html.contains("Second words"), "B: {html}");
    assert!(b.page("/en/").await.1.contains("Second words"));
    a.stop().await;
    b.stop().await;
    drop(pg);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sitemap_lists_every_article_past_the_front_page_limit() {
    let app = TestApp::spawn(0).await;
    for i in 0..120 {
        let r = app
            .post_article(&article(&format!("story-{i:03}"), &format!("Story {i}")))
            .await;
        assert_eq!(r.status().as_u16(), 202);
    }
    for i in [7, 70] {
        let put = app
            .client
            .put(format!("{}/api/v1/articles/story-{i:03}/pt", app.base))
            .bearer_auth(&app.key)
            .json(&json!({"title": format!("História {i}"), "body_html": "<p>Bom dia.</p>"}))
            .send()
            .await
            .unwrap();
        assert_eq!(put.status().as_u16(), 200);
    }
    let (status, xml) = app.page("/sitemap.xml").await;
    assert_eq!(status, 200);
    assert!(
        xml.contains("<urlset"),
        "120 articles fit in one file, no index"
    );
    let locs: Vec<&str> = xml
        .split("<loc>")
        .skip(1)
        .filter_map(|s| s.split("</loc>").next())
        .collect();
    let mut expected: Vec<String> = (0..120)
        .map(|i| format!("{}/en/story-{i:03}", app.base))
        .collect();
    expected.extend([7, 70].map(|i| format!("{}/pt/story-{i:03}", app.base)));
    let mut got: Vec<String> = locs.iter().map(|s| s.to_string()).collect();
    got.sort();
    expected.sort();
    assert_eq!(
        got, expected,
        "every article once, every published translation once"
    );
    // The translated articles keep their hreflang alternates: 2 URLs, each
    // listing en, pt and x-default.
    assert_eq!(xml.matches(r#"hreflang="pt""#).count(), 4);
    assert_eq!(xml.matches(r#"hreflang="x-default""#).count(), 122);
    // Not split, so there is no part 1.
    assert_eq!(app.page("/sitemap-1.xml").await.0, 404);
    app.stop().await;
}

/// `VersionState::Held` "keeps a version out of the site and feeds until an
/// editor looks at it" (warta-store): its own page is not found and no page
/// points to it, like the front page, feed and sitemap, which list only
/// published versions.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_version_has_no_page_and_no_hreflang_alternate() {
    use warta_store::{NewVersion, Origin, RevisionNo, VersionState};
    let app = TestApp::spawn(0).await;
    app.post_article(&article("held", "Held for review")).await;
    let store = &app.app().ctx.store;
    let a = store
        .article(&warta_core::Slug::parse("held").unwrap())
        .await
        .unwrap();
    let held = NewVersion {
        article_id: a.id,
        lang: "pt".parse().unwrap(),
        revision: RevisionNo(1),
        title: "Retido para revisão".into(),
        summary: String::new(),
        body_html: "<p>Bom dia.</p>".into(),
        origin: Origin::Machine,
        state: VersionState::Held,
        model_id: Some("test".into()),
        quality: None,
        reviewed_by: None,
        segments: Vec::new(),
    };
    store.put_version(&held).await.unwrap();
    assert_eq!(app.page("/pt/held").await.0, 404);
    let (status, source) = app.page("/en/held").await;
    assert_eq!(status, 200);
    assert!(!source.contains(r#"hreflang="pt""#), "{source}");
    for path in ["/pt/", "/pt/feed.xml", "/sitemap.xml"] {
        assert!(!app.page(path).await.1.contains("Retido"), "{path}");
    }
    // Published, it appears everywhere at once.
    store
        .put_version(&NewVersion {
            state: VersionState::Published,
            ..held
        })
        .await
        .unwrap();
    assert!(app.page("/pt/held").await.1.contains("Retido para revisão"));
    assert!(app.page("/en/held").await.1.contains(r#"hreflang="pt""#));
    app.stop().await;
}

/// Pages, feeds and the sitemap go compressed to a client that accepts it
/// (issue 23): brotli preferred, gzip next, as they are otherwise; every
/// encoding decodes to the same bytes (flate2 and brotli decoders, the
/// oracle), says `Vary: Accept-Encoding`, and has its own ETag, which a
/// conditional request of the same encoding revalidates to a 304.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_feeds_and_the_sitemap_are_served_compressed_to_those_who_accept_it() {
    use std::io::Read;
    let app = TestApp::spawn(1).await;
    let body = "<p>The council met on Monday and agreed the budget.</p>".repeat(20);
    let r = app
        .post_article(&json!({"slug": "budget", "title": "Budget agreed", "body_html": body}))
        .await;
    assert_eq!(r.status(), 202);
    // Enough articles for a sitemap past the 512 bytes below which nothing
    // is compressed (page_cache.rs, `Compressed::MIN_BYTES`).
    for i in 0..12 {
        let r = app
            .post_article(&json!({"slug": format!("brief-{i}"), "title": "Brief", "body_html": "<p>Short.</p>"}))
            .await;
        assert_eq!(r.status(), 202);
    }
    for path in ["/en/budget", "/en/", "/en/feed.xml", "/sitemap.xml"] {
        let fetch = |accept: Option<&'static str>| {
            let mut req = app.client.get(format!("{}{path}", app.base));
            if let Some(a) = accept {
                req = req.header("accept-encoding", a);
            }
            req.send()
        };
        let plain = fetch(None).await.unwrap();
        assert_eq!(plain.status(), 200, "{path}");
        assert!(plain.headers().get("content-encoding").is_none(), "{path}");
        let plain_etag = plain.headers()["etag"].to_str().unwrap().to_string();
        let plain_body = plain.bytes().await.unwrap();
        for (accept, coding) in [
            ("gzip, deflate, br", Some("br")),
            ("gzip", Some("gzip")),
            ("br;q=0, gzip;q=0.5", Some("gzip")),
            ("br;q=0, gzip;q=0", None),
            ("identity", None),
        ] {
            let r = fetch(Some(accept)).await.unwrap();
            assert_eq!(r.status(), 200, "{path} {accept}");
            let got = r
                .headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap().to_string());
            assert_eq!(got.as_deref(), coding, "{path} {accept}");
            let vary = r
                .headers()
                .get("vary")
                .map(|v| v.to_str().unwrap().to_lowercase());
            assert!(
                vary.is_some_and(|v| v.contains("accept-encoding")),
                "{path}"
            );
            let etag = r.headers()["etag"].to_str().unwrap().to_string();
            let raw = r.bytes().await.unwrap();
            let mut decoded = Vec::new();
            match coding {
                Some("br") => {
                    brotli::Decompressor::new(&raw[..], 4096)
                        .read_to_end(&mut decoded)
                        .unwrap();
                }
                Some("gzip") => {
                    flate2::read::GzDecoder::new(&raw[..])
                        .read_to_end(&mut decoded)
                        .unwrap();
                }
                _ => decoded = raw.to_vec(),
            }
            assert_eq!(decoded, plain_body.to_vec(), "{path} {accept}");
            if coding.is_some() {
                assert!(raw.len() < plain_body.len(), "{path} {accept}: not smaller");
                assert_ne!(etag, plain_etag, "{path} {accept}: one ETag per encoding");
            }
            let again = app
                .client
                .get(format!("{}{path}", app.base))
                .header("accept-encoding", accept)
                .header("if-none-match", &etag)
                .send()
                .await
                .unwrap();
            assert_eq!(again.status(), 304, "{path} {accept}");
        }
    }
    app.stop().await;
}
