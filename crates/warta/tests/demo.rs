//! `warta demo` as a newcomer runs it: the real binary, the real en→pt test
//! model (scripts/fetch-test-models; present, so nothing is downloaded), a
//! fresh directory, real HTTP. Issue 8: "`warta demo` on a fresh clone shows
//! translated articles within a minute", with "a one-time editor password".
//!
//! The two NTREX-shaped documents below are written for this test (NTREX
//! layout: `newstest2019-src.eng.txt`, one sentence per line, and
//! `DOCUMENT_IDS.tsv`, the document of each line; a document's first line is
//! its headline); the slug is the headline made a slug.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use warta_testkit::{test_models, wait_until};

/// Kill the demo however the test ends.
struct Demo(Child);

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Status line and body of one HTTP/1.1 request.
fn request(addr: &str, head: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "{head}Host: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    (
        resp.split_whitespace().nth(1).unwrap().parse().unwrap(),
        resp,
    )
}

fn after<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    line.split_once(marker)
        .map(|(_, rest)| rest.split_whitespace().next().unwrap_or(""))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_serves_a_translated_article_within_a_minute() {
    let tmp = tempfile::tempdir().unwrap();
    let ntrex = tmp.path().join("ntrex");
    std::fs::create_dir(&ntrex).unwrap();
    std::fs::write(
        ntrex.join("newstest2019-src.eng.txt"),
        "Harbour ferry returns after the storm\nThe ferry sailed again on Monday.\nThe captain thanked the crew.\n\
         Library opens on Sundays\nThe city library will open on Sundays from May.\n",
    )
    .unwrap();
    std::fs::write(
        ntrex.join("DOCUMENT_IDS.tsv"),
        "doc.1\ndoc.1\ndoc.1\ndoc.2\ndoc.2\n",
    )
    .unwrap();

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_warta"));
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("WARTA_")) {
        cmd.env_remove(k);
    }
    let child = cmd
        .args(["demo", "--listen", "127.0.0.1:0", "--docs", "2", "--dir"])
        .arg(tmp.path().join("demo"))
        .arg("--ntrex")
        .arg(&ntrex)
        .env("WARTA_MODELS_DIR", test_models())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut demo = Demo(child);
    let (tx, rx) = mpsc::channel();
    let out = demo.0.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });

    let (mut article, mut password, mut admin) = (None, None, None);
    let mut printed = Vec::new();
    while article.is_none() || password.is_none() {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("demo output so far: {printed:#?}"));
        printed.push(line.clone());
        if let Some(url) = after(&line, "first article: ") {
            article = Some(url.to_string());
        }
        if let Some(url) = after(&line, "admin: ") {
            admin = Some(url.to_string());
            password = line.split('`').nth(3).map(str::to_string);
        }
    }
    let article = article.unwrap();
    let (addr, path) = article
        .strip_prefix("http://")
        .unwrap()
        .split_once('/')
        .unwrap();
    let addr = addr.to_string();
    assert_eq!(
        path, "pt/harbour-ferry-returns-after-the-storm",
        "{printed:#?}"
    );
    assert!(
        printed
            .iter()
            .any(|l| l.contains("2 articles: NTREX documents")),
        "{printed:#?}"
    );

    // The Portuguese page appears once the worker has translated it.
    // The demo is another process: its worker's progress shows on its site.
    let within = Duration::from_secs(60).saturating_sub(started.elapsed());
    let page = wait_until(within, || async {
        let (status, resp) = request(&addr, &format!("GET /{path} HTTP/1.1\r\n"), "");
        if status == 200 {
            Ok(resp)
        } else {
            Err(format!("/{path} still {status} after a minute"))
        }
    })
    .await;
    assert!(page.contains("<html lang=\"pt\""), "{page}");
    assert!(
        !page.contains("The captain thanked the crew."),
        "the body is still English:\n{page}"
    );

    // The printed password opens the admin; it is 20 characters.
    let password = password.unwrap();
    assert_eq!(password.len(), 20);
    let admin = admin.unwrap();
    let base = admin.trim_end_matches("/admin");
    let (status, resp) = request(
        &addr,
        &format!(
            "POST /admin/login HTTP/1.1\r\nOrigin: {base}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        ),
        &format!("username=editor&password={password}"),
    );
    assert_eq!(status, 303, "{resp}");
    assert!(resp.to_ascii_lowercase().contains("set-cookie:"), "{resp}");
}
