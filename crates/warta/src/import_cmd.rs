//! `warta import feed|wordpress URL|FILE`: fetch or read, then hand the
//! bytes to `warta_server::import`, which parses, validates and stores them
//! through the CMS API's ingest path.
//!
//! Everything is fetched and parsed before the first write: a URL that fails
//! on page 3 of 5, or a file that is not a feed, stores nothing. A single item
//! the API would refuse (no title, an empty body) is reported by its GUID and
//! counted as failed; the others are imported and the exit status says so.

use std::io::{IsTerminal, Read};
use std::time::Duration;

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};
use warta_server::import::{self, ImportError, ImportItem, Outcome};
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

pub fn run(global: &Global, cmd: ImportCommand) -> anyhow::Result<()> {
    let (source, serve) = match &cmd {
        ImportCommand::Feed { source, serve } | ImportCommand::Wordpress { source, serve } => {
            (source, serve)
        }
    };
    let config = crate::serve_cmd::config(global, serve)?;
    let items = match &cmd {
        ImportCommand::Feed { .. } => {
            let bytes = read_source(source)?;
            let base = is_url(source).then_some(source.as_str());
            import::parse_feed(&bytes, base).with_context(|| source.clone())?
        }
        ImportCommand::Wordpress { .. } if is_url(source) => fetch_wordpress(source)?,
        ImportCommand::Wordpress { .. } => {
            import::parse_wordpress(&read_source(source)?).with_context(|| source.clone())?
        }
    };
    crate::serve_cmd::runtime()?.block_on(async move {
        let app = App::build(config).await?;
        let result = store_all(&app, source, items).await;
        app.ctx.store.close().await;
        result
    })
}

async fn store_all(app: &App, source: &str, items: Vec<ImportItem>) -> anyhow::Result<()> {
    let total = items.len();
    let terminal = std::io::stderr().is_terminal();
    let bar = if terminal {
        let b = ProgressBar::new(total as u64);
        b.set_style(
            ProgressStyle::with_template("{spinner} importing [{bar:30}] {pos}/{len} {wide_msg}")
                .expect("a valid template")
                .progress_chars("=> "),
        );
        b
    } else {
        ProgressBar::hidden()
    };
    // Item lines go to stdout (scripts read them); on a terminal, printed
    // above the bar so it keeps its place.
    let say = |line: String| {
        if terminal {
            bar.println(line);
        } else {
            println!("{line}");
        }
    };
    let (mut created, mut revised, mut unchanged, mut kept_deleted, mut failed) = (0, 0, 0, 0, 0);
    for item in items {
        let label = item.label().to_string();
        bar.set_message(item.wanted_slug.to_string());
        match import::import_item(&app.ctx.store, app.config(), item).await {
            Ok(done) => match done.outcome {
                Outcome::Created => {
                    created += 1;
                    say(format!("created    {}", done.slug));
                }
                Outcome::Revised(r) => {
                    revised += 1;
                    say(format!("revised    {} (revision {})", done.slug, r.0));
                }
                Outcome::Unchanged => unchanged += 1,
                Outcome::KeptDeleted => {
                    kept_deleted += 1;
                    say(format!(
                        "skipped    {} (deleted in warta; left deleted)",
                        done.slug
                    ));
                }
            },
            Err(ImportError::Invalid(why)) => {
                failed += 1;
                bar.suspend(|| eprintln!("failed     {label}: {why}"));
            }
            // The database itself failing is not the item's fault: stop.
            Err(e) => {
                bar.abandon();
                return Err(e).with_context(|| format!("importing {label}"));
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let deleted = if kept_deleted > 0 {
        format!(", {kept_deleted} left deleted")
    } else {
        String::new()
    };
    println!(
        "{source}: {total} items: {created} created, {revised} revised, {unchanged} unchanged, {failed} failed{deleted}"
    );
    if failed > 0 {
        bail!("{failed} of {total} items were not imported (reasons above)");
    }
    Ok(())
}

fn is_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}

fn read_source(source: &str) -> anyhow::Result<Vec<u8>> {
    if is_url(source) {
        Ok(get(&agent(), source)?.1)
    } else {
        std::fs::read(source).with_context(|| format!("reading {source}"))
    }
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(60))
        .user_agent(concat!(
            "warta/",
            env!("CARGO_PKG_VERSION"),
            " (newsroom import)"
        ))
        .build()
}

/// GET `url`: the `X-WP-TotalPages` header (if any) and the body.
fn get(agent: &ureq::Agent, url: &str) -> anyhow::Result<(Option<String>, Vec<u8>)> {
    let resp = match agent.get(url).call() {
        Ok(r) => r,
        Err(ureq::Error::Status(code, r)) => bail!("{url}: HTTP {code} {}", r.status_text()),
        Err(e) => return Err(anyhow::Error::new(e).context(format!("fetching {url}"))),
    };
    let pages = resp.header("X-WP-TotalPages").map(str::to_string);
    let mut body = Vec::new();
    resp.into_reader()
        .take(MAX_RESPONSE_BYTES + 1)
        .read_to_end(&mut body)
        .with_context(|| format!("reading {url}"))?;
    if body.len() as u64 > MAX_RESPONSE_BYTES {
        bail!(
            "{url}: response is larger than {} MiB",
            MAX_RESPONSE_BYTES >> 20
        );
    }
    Ok((pages, body))
}

/// Every page of a WordPress site's posts. `site` is the site's address
/// (`https://news.example`) or the endpoint itself
/// (`…/wp-json/wp/v2/posts`, `…/?rest_route=/wp/v2/posts`).
fn fetch_wordpress(site: &str) -> anyhow::Result<Vec<ImportItem>> {
    let endpoint = if site.contains("/wp-json/") || site.contains("rest_route=") {
        site.to_string()
    } else {
        format!("{}/wp-json/wp/v2/posts", site.trim_end_matches('/'))
    };
    let sep = if endpoint.contains('?') { '&' } else { '?' };
    let page_url = |n: u32| format!("{endpoint}{sep}per_page={WP_PER_PAGE}&page={n}");
    let agent = agent();
    let terminal = std::io::stderr().is_terminal();
    let spinner = if terminal {
        ProgressBar::new_spinner()
    } else {
        ProgressBar::hidden()
    };
    spinner.enable_steady_tick(Duration::from_millis(120));
    let mut items = Vec::new();
    let mut n = 1;
    let mut total = 1;
    while n <= total {
        spinner.set_message(format!("fetching page {n} of {total}"));
        let url = page_url(n);
        let (pages, body) = get(&agent, &url)?;
        if n == 1 {
            // No header: a single page (a proxy or a static export).
            total = match pages {
                None => 1,
                Some(p) => p
                    .trim()
                    .parse()
                    .with_context(|| format!("{url}: X-WP-TotalPages `{p}` is not a number"))?,
            };
            if total > WP_MAX_PAGES {
                bail!("{url}: X-WP-TotalPages is {total}, more than the {WP_MAX_PAGES} pages warta imports at once");
            }
        }
        let page = import::parse_wordpress(&body).with_context(|| url.clone())?;
        if !terminal {
            eprintln!(
                "fetched page {n} of {} ({} posts)",
                total.max(1),
                page.len()
            );
        }
        items.extend(page);
        n += 1;
    }
    spinner.finish_and_clear();
    Ok(items)
}
