//! `warta models …`

use anyhow::{bail, Context};
use warta_core::Pair;
use warta_models::PullSource;

use crate::cli::{Global, ModelsCommand};

pub fn run(global: &Global, cmd: ModelsCommand) -> anyhow::Result<()> {
    let store = global.model_store();
    match cmd {
        ModelsCommand::List => {
            let entries = store.list()?;
            if entries.is_empty() {
                println!("no models in {} (get some with `warta models pull PAIR`)", store.root().display());
            }
            for e in entries {
                match e {
                    Ok(m) => println!(
                        "{:<7} {:>6.1} MiB  version {}  {}  ({})",
                        m.pair().to_string(),
                        m.bytes() as f64 / (1024.0 * 1024.0),
                        m.manifest.version,
                        m.model_id(),
                        m.manifest.origin
                    ),
                    Err(e) => println!("broken  {e}"),
                }
            }
        }
        ModelsCommand::Import { dir, pair, version } => {
            let pair: Pair = pair.parse()?;
            let m = store.import(&dir, pair, version.as_deref())?;
            println!("imported {} into {} ({})", pair, m.dir.display(), m.model_id());
        }
        ModelsCommand::Pull { pairs, mirror } => {
            let pairs = pairs.iter().map(|p| p.parse::<Pair>()).collect::<Result<Vec<_>, _>>()?;
            let source = match mirror {
                Some(url) => PullSource::Mirror(url),
                None => PullSource::Mozilla,
            };
            for pair in pairs {
                let m = store.pull(pair, &source)?;
                println!("pulled {} into {} ({})", pair, m.dir.display(), m.model_id());
            }
        }
        ModelsCommand::Verify => {
            let reports = store.verify().context("verifying the model store")?;
            let mut bad = 0;
            for r in &reports {
                if r.problems.is_empty() {
                    println!("ok      {}", r.pair);
                } else {
                    bad += 1;
                    for p in &r.problems {
                        println!("FAILED  {}: {p}", r.pair);
                    }
                }
            }
            if bad > 0 {
                bail!("{bad} of {} installed pairs failed verification", reports.len());
            }
            if reports.is_empty() {
                println!("no models in {}", store.root().display());
            }
        }
    }
    Ok(())
}
