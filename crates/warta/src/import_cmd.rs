//! `warta import feed|wordpress URL|FILE`: fetch or read, hand the bytes to
//! `warta-ingest`, which decodes, parses and validates them as the CMS API
//! would, then store item by item through the same ingest path.
//!
//! Memory is bounded per response, not per import: a response is read in
//! chunks and refused as soon as it passes [`MAX_RESPONSE_BYTES`] (at once
//! when its `Content-Length` says so), and a WordPress site is imported one
//! page at a time — fetched, parsed, stored, then the next — so a 1,000-page
//! archive holds one page, never a thousand.
//!
//! What is written when something fails: a feed (URL or file) or a page
//! that does not parse stores nothing of itself, and the first page is
//! fetched and parsed before the database is even opened, so a wrong URL
//! creates nothing. When page 3 of 5 fails, pages 1–2 stay imported and the
//! error says so; importing is idempotent, so running it again completes
//! the rest. A single item the API would refuse (no title, an empty body)
//! is reported by its GUID and counted as failed; the others are imported
//! and the exit status says so.
//!
//! Redirects are followed here (at most [`MAX_REDIRECTS`]), not by ureq, so
//! that one from `https://` to `http://` is refused: it would let anyone on
//! the network between warta and the site rewrite what gets published.

use std::io::{IsTerminal, Read};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};
use warta_ingest::{ImportItem, IngestError, Newsroom, Outcome};
use warta_server::App;

use crate::cli::{Global, ImportCommand};

/// The most one response may hold. A feed or a page of 100 posts is a few
/// megabytes; more is a wrong URL.
const MAX_RESPONSE_BYTES: u64 = 64 << 20;
/// WordPress's largest page size: the fewest requests.
const WP_PER_PAGE: u32 = 100;
/// 1,000 pages of 100 is a very large archive; a header beyond that is a
/// broken server, not a newsroom.
const WP_MAX_PAGES: u32 = 1000;
/// As many as browsers and ureq's default allow in practice.
const MAX_REDIRECTS: usize = 5;

pub fn run(global: &Global, cmd: ImportCommand) -> anyhow::Result<()> {
    let (source, serve) = match &cmd {
        ImportCommand::Feed { source, serve } | ImportCommand::Wordpress { source, serve } => {
            (source.as_str(), serve)
        }
    };
    let config = crate::serve_cmd::config(global, serve)?;
    let rt = crate::serve_cmd::runtime()?;
    let agent = agent();
    // Parse the first document before the database exists.
    let (first, pages) = match &cmd {
        ImportCommand::Feed { .. } => {
            let feed = if is_url(source) {
                let r = get(&agent, source)?;
                warta_ingest::parse_feed(&r.body, Some(&r.url), r.charset.as_deref())
            } else {
                warta_ingest::parse_feed(&read_file(source)?, None, None)
            };
            (feed.with_context(|| source.to_string())?.items, None)
        }
        ImportCommand::Wordpress { .. } if is_url(source) => {
            let pages = WordPressPages::new(source);
            let (total, items) = pages.fetch(&agent, 1, None)?;
            (items, Some((pages, total)))
        }
        ImportCommand::Wordpress { .. } => (
            warta_ingest::parse_wordpress(&read_file(source)?)
                .with_context(|| source.to_string())?,
            None,
        ),
    };
    let newsroom = config.newsroom();
    let app = rt.block_on(App::build(config))?;
    let mut run = Run::new(&app, &newsroom);
    let mut result = rt.block_on(run.store(first));
    if let (Ok(()), Some((pages, total))) = (&result, pages) {
        for n in 2..=total {
            result = match pages.fetch(&agent, n, Some(total)) {
                Ok((_, items)) => rt.block_on(run.store(items)),
                Err(e) => Err(anyhow::anyhow!(
                    "{e:#} (pages 1–{} of {total} were imported; running the import again \
                     imports the rest)",
                    n - 1
                )),
            };
            if result.is_err() {
                break;
            }
        }
    }
    rt.block_on(app.ctx.store.close());
    run.finish(source, result)
}

/// The counts and the progress display of one import, across pages.
struct Run<'a> {
    app: &'a Arc<App>,
    newsroom: &'a Newsroom,
    bar: ProgressBar,
    terminal: bool,
    total: usize,
    created: usize,
    revised: usize,
    unchanged: usize,
    kept_deleted: usize,
    failed: usize,
}

impl<'a> Run<'a> {
    fn new(app: &'a Arc<App>, newsroom: &'a Newsroom) -> Run<'a> {
        let terminal = std::io::stderr().is_terminal();
        let bar = if terminal {
            let b = ProgressBar::new(0);
            b.set_style(
                ProgressStyle::with_template(
                    "{spinner} importing [{bar:30}] {pos}/{len} {wide_msg}",
                )
                .expect("a valid template")
                .progress_chars("=> "),
            );
            b
        } else {
            ProgressBar::hidden()
        };
        Run {
            app,
            newsroom,
            bar,
            terminal,
            total: 0,
            created: 0,
            revised: 0,
            unchanged: 0,
            kept_deleted: 0,
            failed: 0,
        }
    }

    /// Item lines go to stdout (scripts read them); on a terminal, printed
    /// above the bar so it keeps its place.
    fn say(&self, line: String) {
        if self.terminal {
            self.bar.println(line);
        } else {
            println!("{line}");
        }
    }

    /// Store one document's items, in order.
    async fn store(&mut self, items: Vec<ImportItem>) -> anyhow::Result<()> {
        self.total += items.len();
        self.bar.inc_length(items.len() as u64);
        for item in items {
            let label = item.label().to_string();
            self.bar.set_message(item.wanted_slug.to_string());
            match warta_ingest::import_item(&self.app.ctx.store, self.newsroom, item).await {
                Ok(done) => match done.outcome {
                    Outcome::Created => {
                        self.created += 1;
                        self.say(format!("created    {}", done.slug));
                    }
                    Outcome::Revised(r) => {
                        self.revised += 1;
                        self.say(format!("revised    {} (revision {})", done.slug, r.0));
                    }
                    Outcome::Unchanged => self.unchanged += 1,
                    Outcome::KeptDeleted => {
                        self.kept_deleted += 1;
                        self.say(format!(
                            "skipped    {} (deleted in warta; left deleted)",
                            done.slug
                        ));
                    }
                },
                Err(why @ (IngestError::Invalid { .. } | IngestError::TooLarge { .. })) => {
                    self.failed += 1;
                    self.bar.suspend(|| eprintln!("failed     {label}: {why}"));
                }
                // The database itself failing is not the item's fault: stop.
                Err(e) => {
                    self.bar.abandon();
                    return Err(e).with_context(|| format!("importing {label}"));
                }
            }
            self.bar.inc(1);
        }
        // The workers of a running `warta serve` find the new jobs on their
        // next poll; nothing here translates.
        Ok(())
    }

    fn finish(self, source: &str, result: anyhow::Result<()>) -> anyhow::Result<()> {
        self.bar.finish_and_clear();
        let deleted = if self.kept_deleted > 0 {
            format!(", {} left deleted", self.kept_deleted)
        } else {
            String::new()
        };
        println!(
            "{source}: {} items: {} created, {} revised, {} unchanged, {} failed{deleted}",
            self.total, self.created, self.revised, self.unchanged, self.failed
        );
        result?;
        if self.failed > 0 {
            bail!(
                "{} of {} items were not imported (reasons above)",
                self.failed,
                self.total
            );
        }
        Ok(())
    }
}

fn is_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}

fn read_file(path: &str) -> anyhow::Result<Vec<u8>> {
    let len = std::fs::metadata(path)
        .with_context(|| format!("reading {path}"))?
        .len();
    if len > MAX_RESPONSE_BYTES {
        bail!(
            "{path}: {len} bytes, more than the {} MiB warta reads of one feed or page",
            MAX_RESPONSE_BYTES >> 20
        );
    }
    std::fs::read(path).with_context(|| format!("reading {path}"))
}

fn agent() -> ureq::Agent {
    agent_builder().build()
}

fn agent_builder() -> ureq::AgentBuilder {
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(60))
        // Followed by `get`, which refuses https → http.
        .redirects(0)
        .user_agent(concat!(
            "warta/",
            env!("CARGO_PKG_VERSION"),
            " (newsroom import)"
        ))
}

/// A response as the importer keeps it.
#[derive(Debug)]
struct Fetched {
    /// Where the body finally came from (after redirects): the base of
    /// relative links.
    url: String,
    /// `X-WP-TotalPages`, if sent.
    total_pages: Option<String>,
    /// The `charset` of `Content-Type`, if sent.
    charset: Option<String>,
    body: Vec<u8>,
}

/// GET `url`, following redirects except from https to http, and read the
/// body up to [`MAX_RESPONSE_BYTES`].
fn get(agent: &ureq::Agent, url: &str) -> anyhow::Result<Fetched> {
    let mut current = url::Url::parse(url).with_context(|| format!("`{url}` is not a URL"))?;
    for _ in 0..=MAX_REDIRECTS {
        let resp = match agent.request_url("GET", &current).call() {
            Ok(r) => r,
            Err(ureq::Error::Status(code, r)) => {
                bail!("{current}: HTTP {code} {}", r.status_text())
            }
            Err(e) => return Err(anyhow::Error::new(e).context(format!("fetching {current}"))),
        };
        if (300..400).contains(&resp.status()) {
            let Some(location) = resp.header("location") else {
                bail!(
                    "{current}: HTTP {} without a Location to go to",
                    resp.status()
                );
            };
            let next = current
                .join(location)
                .with_context(|| format!("{current}: redirect to `{location}`, not a URL"))?;
            if current.scheme() == "https" && next.scheme() != "https" {
                bail!(
                    "{current}: redirects to {next}, from https to {}; refused, because anyone on \
                     the network could then change what is imported (import from {next} directly \
                     if that is meant)",
                    next.scheme()
                );
            }
            if next.scheme() != "http" && next.scheme() != "https" {
                bail!("{current}: redirects to {next}, which is not http(s)");
            }
            current = next;
            continue;
        }
        let total_pages = resp.header("X-WP-TotalPages").map(str::to_string);
        let charset = resp.header("content-type").and_then(charset_of);
        let declared = resp
            .header("content-length")
            .and_then(|l| l.trim().parse::<u64>().ok());
        let body = read_capped(resp.into_reader(), declared, current.as_str())?;
        return Ok(Fetched {
            url: current.to_string(),
            total_pages,
            charset,
            body,
        });
    }
    bail!("{url}: more than {MAX_REDIRECTS} redirects")
}

/// The `charset` parameter of a `Content-Type` (ureq's own answers `utf-8`
/// when none was sent; only a sent one is evidence).
fn charset_of(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

/// Read a body in chunks, stopping as soon as it passes the cap: memory
/// never holds more than [`MAX_RESPONSE_BYTES`] plus one chunk.
fn read_capped(mut reader: impl Read, declared: Option<u64>, url: &str) -> anyhow::Result<Vec<u8>> {
    let too_large = || {
        anyhow::anyhow!(
            "{url}: response is larger than {} MiB, the most warta reads of one feed or page",
            MAX_RESPONSE_BYTES >> 20
        )
    };
    if declared.is_some_and(|n| n > MAX_RESPONSE_BYTES) {
        return Err(too_large());
    }
    // A declared length sizes the buffer once (it is within the cap).
    let mut body = Vec::with_capacity(declared.unwrap_or(0) as usize);
    let mut chunk = vec![0u8; 64 << 10];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => return Ok(body),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(anyhow::Error::new(e).context(format!("reading {url}"))),
        };
        if (body.len() + n) as u64 > MAX_RESPONSE_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk[..n]);
    }
}

/// The pages of a WordPress site's posts. `site` is the site's address
/// (`https://news.example`) or the endpoint itself
/// (`…/wp-json/wp/v2/posts`, `…/?rest_route=/wp/v2/posts`).
struct WordPressPages {
    endpoint: String,
    spinner: ProgressBar,
    terminal: bool,
}

impl WordPressPages {
    fn new(site: &str) -> WordPressPages {
        let endpoint = if site.contains("/wp-json/") || site.contains("rest_route=") {
            site.to_string()
        } else {
            format!("{}/wp-json/wp/v2/posts", site.trim_end_matches('/'))
        };
        let terminal = std::io::stderr().is_terminal();
        WordPressPages {
            endpoint,
            spinner: if terminal {
                ProgressBar::new_spinner()
            } else {
                ProgressBar::hidden()
            },
            terminal,
        }
    }

    fn url(&self, n: u32) -> String {
        let sep = if self.endpoint.contains('?') {
            '&'
        } else {
            '?'
        };
        format!("{}{sep}per_page={WP_PER_PAGE}&page={n}", self.endpoint)
    }

    /// Fetch and parse page `n`; page 1 also learns the number of pages
    /// (`X-WP-TotalPages`; none: a single page, as a proxy or a static
    /// export serves it).
    fn fetch(
        &self,
        agent: &ureq::Agent,
        n: u32,
        total: Option<u32>,
    ) -> anyhow::Result<(u32, Vec<ImportItem>)> {
        let url = self.url(n);
        let shown = total.map_or("?".to_string(), |t| t.to_string());
        self.spinner
            .set_message(format!("fetching page {n} of {shown}"));
        self.spinner.tick();
        let page = get(agent, &url)?;
        let total = match (total, &page.total_pages) {
            (Some(t), _) => t,
            (None, None) => 1,
            (None, Some(p)) => p
                .trim()
                .parse()
                .with_context(|| format!("{url}: X-WP-TotalPages `{p}` is not a number"))?,
        };
        if total > WP_MAX_PAGES {
            bail!("{url}: X-WP-TotalPages is {total}, more than the {WP_MAX_PAGES} pages warta imports at once");
        }
        let items = warta_ingest::parse_wordpress(&page.body).with_context(|| url.clone())?;
        if !self.terminal {
            eprintln!(
                "fetched page {n} of {} ({} posts)",
                total.max(1),
                items.len()
            );
        }
        Ok((total, items))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_cut_off_at_the_cap_not_read_to_its_end() {
        // An endless body: the read must stop one chunk past the cap.
        let endless = std::io::repeat(b'x');
        let e = read_capped(endless, None, "http://x.example/feed").unwrap_err();
        assert!(e.to_string().contains("larger than 64 MiB"), "{e}");
        let e = read_capped(&b""[..], Some(MAX_RESPONSE_BYTES + 1), "u").unwrap_err();
        assert!(e.to_string().contains("larger than"), "{e}");
        assert_eq!(read_capped(&b"abc"[..], Some(3), "u").unwrap(), b"abc");
    }

    /// A TLS site on 127.0.0.1 (a certificate for that address, trusted by
    /// the returned agent) whose `/to-http` redirects to `http_url`,
    /// `/to-https` to its own `/feed`, which answers `secure`.
    fn tls_site(http_url: String) -> (String, ureq::Agent) {
        use std::io::{BufRead, BufReader, Write};
        let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
        let der = cert.cert.der().clone();
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into());
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let server = Arc::new(
            rustls::ServerConfig::builder_with_provider(provider.clone())
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(vec![der.clone()], key)
                .unwrap(),
        );
        let mut roots = rustls::RootCertStore::empty();
        roots.add(der).unwrap();
        let client = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("https://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for tcp in listener.incoming().flatten() {
                let conn = rustls::ServerConnection::new(server.clone()).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                let mut request = String::new();
                {
                    let mut reader = BufReader::new(&mut tls);
                    if reader.read_line(&mut request).is_err() {
                        continue;
                    }
                    let mut h = String::new();
                    while reader.read_line(&mut h).is_ok_and(|n| n > 2) {
                        h.clear();
                    }
                }
                let response = match request.split_whitespace().nth(1) {
                    Some("/to-http") => format!(
                        "HTTP/1.1 302 Found\r\nLocation: {http_url}\r\nContent-Length: 0\r\n\r\n"
                    ),
                    Some("/to-https") => {
                        "HTTP/1.1 302 Found\r\nLocation: /feed\r\nContent-Length: 0\r\n\r\n".into()
                    }
                    _ => "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecure".into(),
                };
                let _ = tls.write_all(response.as_bytes());
                tls.conn.send_close_notify();
                let _ = tls.flush();
            }
        });
        let agent = agent_builder().tls_config(Arc::new(client)).build();
        (base, agent)
    }

    #[test]
    fn a_redirect_from_https_to_http_is_refused_and_never_followed() {
        // The plain-http side counts the requests that reach it.
        let plain = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let http_url = format!("http://{}/feed", plain.local_addr().unwrap());
        plain.set_nonblocking(true).unwrap();
        let (base, agent) = tls_site(http_url.clone());

        let e = get(&agent, &format!("{base}/to-http"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(&format!(
                "redirects to {http_url}, from https to http; refused"
            )),
            "{e}"
        );
        // Nothing connected to the http address (accept would have it queued).
        assert_eq!(
            plain.accept().unwrap_err().kind(),
            std::io::ErrorKind::WouldBlock
        );
        // Within https a redirect is followed, and the final URL is the base.
        let r = get(&agent, &format!("{base}/to-https")).unwrap();
        assert_eq!(
            (r.body.as_slice(), r.url),
            (&b"secure"[..], format!("{base}/feed"))
        );
    }

    #[test]
    fn only_a_sent_charset_counts() {
        assert_eq!(
            charset_of("text/xml; charset=\"EUC-JP\"").as_deref(),
            Some("EUC-JP")
        );
        assert_eq!(
            charset_of("application/rss+xml;CHARSET=koi8-r").as_deref(),
            Some("koi8-r")
        );
        assert_eq!(charset_of("application/xml"), None);
    }
}
