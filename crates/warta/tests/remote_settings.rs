//! `warta models pull` against a replica of Mozilla's Remote Settings.
//!
//! The replica is an HTTP server on 127.0.0.1 that answers like
//! `firefox.settings.services.mozilla.com/v1`: the server root with
//! `capabilities.attachments.base_url` (pointing at another path of the same
//! server, as Mozilla's points at its CDN), the `translations-models-v2`
//! records with Mozilla's v2 fields, and zstd attachments. It publishes the
//! real test models relabelled — the pt→en files as `id`→`en` (shared vocab),
//! the en→pt files as `en`→`zh-Hans` with separate `srcvocab`/`trgvocab` —
//! so that `id→en→zh` really runs afterwards, next to records a client
//! behaving like desktop release Firefox must not download. The server logs
//! every path asked for; the tests compare that log with what Firefox would
//! fetch.
//!
//! Oracle for translations: the same test models run directly
//! (`pt→en`, then `en→pt`) — the relabelled pivot must give the same text.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use warta_testkit::{http, test_models_if_fetched};

const RECORDS: &str = "/v1/buckets/main/collections/translations-models-v2/records";
/// Mozilla's expression on files for everything but Android release.
const NOT_ANDROID_RELEASE: &str = "env.appinfo.OS != 'Android' || env.channel != 'release'";
const NIGHTLY_ONLY: &str = "env.channel == 'default' || env.channel == 'nightly'";
const ANDROID_ONLY: &str = "env.appinfo.OS == 'Android'";
/// A JEXL transform outside the subset Mozilla's translation records use:
/// a client that does not understand it must not take the record.
const NOT_UNDERSTOOD: &str = "env.version|versionCompare('140.0a1') >= 0";

// ---------------------------------------------------------------- replica

struct Replica {
    base: String,
    routes: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    log: Arc<Mutex<Vec<String>>>,
    records: Vec<Value>,
    /// Attachment paths of records a correct client downloads, and of the
    /// ones it must not.
    wanted: Vec<String>,
    decoys: Vec<String>,
}

/// One published file.
struct File<'a> {
    src: &'a str,
    trg: &'a str,
    file_type: &'a str,
    version: &'a str,
    name: &'a str,
    content: Vec<u8>,
    filter: &'a str,
    architecture: &'a str,
    variant: Option<&'a str>,
}

impl<'a> File<'a> {
    fn new(
        src: &'a str,
        trg: &'a str,
        file_type: &'a str,
        version: &'a str,
        name: &'a str,
        content: Vec<u8>,
    ) -> Self {
        File {
            src,
            trg,
            file_type,
            version,
            name,
            content,
            filter: "",
            architecture: "tiny",
            variant: None,
        }
    }

    fn filter(mut self, f: &'a str) -> Self {
        self.filter = f;
        self
    }

    fn architecture(mut self, a: &'a str) -> Self {
        self.architecture = a;
        self
    }
}

impl Replica {
    fn start() -> Replica {
        let routes: Arc<Mutex<HashMap<String, Vec<u8>>>> = Arc::default();
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        // HTTP/1.1, one request per connection, every request path logged.
        let base = {
            let (routes, log) = (routes.clone(), log.clone());
            http::site(move |path, stream| {
                log.lock().unwrap().push(path.to_string());
                match routes.lock().unwrap().get(path) {
                    Some(body) => http::ok(stream, None, body),
                    None => http::not_found(stream),
                }
            })
        };
        // The root document, shaped like Mozilla's `GET /v1/` (Kinto server
        // info with the kinto-attachment capability).
        let root = json!({
            "project_name": "Remote Settings PROD",
            "project_version": "18.0.0",
            "http_api_version": "1.23",
            "url": format!("{base}/v1/"),
            "capabilities": {
                "attachments": {
                    "description": "Add file attachments to records",
                    "url": "https://github.com/Kinto/kinto-attachment/",
                    "version": "7.1.0",
                    "base_url": format!("{base}/attachments/")
                }
            }
        });
        routes
            .lock()
            .unwrap()
            .insert("/v1/".into(), serde_json::to_vec(&root).unwrap());
        let r = Replica {
            base,
            routes,
            log,
            records: Vec::new(),
            wanted: Vec::new(),
            decoys: Vec::new(),
        };
        r.write_records();
        r
    }

    fn url(&self) -> String {
        format!("{}/v1", self.base)
    }

    fn write_records(&self) {
        let body = serde_json::to_vec(&json!({ "data": self.records })).unwrap();
        self.routes.lock().unwrap().insert(RECORDS.into(), body);
    }

    /// Publish `f`; returns the path of its attachment on this server.
    fn publish(&mut self, f: File, wanted: bool) -> String {
        let n = self.records.len();
        let id = format!("{:08x}-0000-4000-8000-{:012x}", 0x5eed_0000 + n, n);
        let compressed = zstd(&f.content);
        let location = format!("main-workspace/translations-models-v2/{id}.zst");
        let mut record = json!({
            "id": id,
            "schema": 1_732_000_000_000u64,
            "last_modified": 1_732_000_000_000u64 + n as u64,
            "name": f.name,
            "version": f.version,
            "fileType": f.file_type,
            "architecture": f.architecture,
            "sourceLanguage": f.src,
            "targetLanguage": f.trg,
            "decompressedHash": sha256(&f.content),
            "decompressedSize": f.content.len(),
            "filter_expression": f.filter,
            "attachment": {
                "hash": sha256(&compressed),
                "size": compressed.len(),
                "filename": format!("{}.zst", f.name),
                "location": location,
                "mimetype": "application/zstd"
            }
        });
        if let Some(v) = f.variant {
            record["variant"] = json!(v);
        }
        self.records.push(record);
        self.write_records();
        let path = format!("/attachments/{location}");
        self.routes.lock().unwrap().insert(path.clone(), compressed);
        if wanted {
            self.wanted.push(path.clone());
        } else {
            self.decoys.push(path.clone());
        }
        path
    }

    fn serve_instead(&self, path: &str, bytes: Vec<u8>) {
        self.routes.lock().unwrap().insert(path.to_string(), bytes);
    }

    fn body(&self, path: &str) -> Vec<u8> {
        self.routes.lock().unwrap()[path].clone()
    }

    fn requested(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

/// zstd-compress, once per distinct content in this test process (the
/// replicas of several tests publish the same 17 MB models).
fn zstd(content: &[u8]) -> Vec<u8> {
    static DONE: std::sync::OnceLock<Mutex<HashMap<String, Vec<u8>>>> = std::sync::OnceLock::new();
    let key = sha256(content);
    if let Some(c) = DONE.get_or_init(Default::default).lock().unwrap().get(&key) {
        return c.clone();
    }
    let c = ruzstd::encoding::compress_to_vec(content, ruzstd::encoding::CompressionLevel::Fastest);
    DONE.get_or_init(Default::default)
        .lock()
        .unwrap()
        .insert(key, c.clone());
    c
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The replica of issue 10: id→en and en→zh-Hans published for desktop
/// release, en→ja only for Nightly, and every kind of record Firefox skips.
fn newsroom_replica(models: &Path) -> Replica {
    let read = |pair: &str, file: &str| std::fs::read(models.join(pair).join(file)).unwrap();
    let pten_model = read("pt-en", "model.pten.intgemm.alphas.bin");
    let pten_vocab = read("pt-en", "vocab.pten.spm");
    let pten_lex = read("pt-en", "lex.50.50.pten.s2t.bin");
    let enpt_model = read("en-pt", "model.enpt.intgemm.alphas.bin");
    let enpt_vocab = read("en-pt", "vocab.enpt.spm");
    let enpt_lex = read("en-pt", "lex.50.50.enpt.s2t.bin");
    let junk = |what: &str| format!("decoy: {what}").into_bytes();

    let mut r = Replica::start();
    // What Firefox takes: id→en 3.10 (shared vocab; the shortlist carries
    // the desktop-release expression), en→zh-Hans 3.1 (split vocabs).
    r.publish(
        File::new(
            "id",
            "en",
            "model",
            "3.10",
            "model.iden.intgemm.alphas.bin",
            pten_model,
        ),
        true,
    );
    r.publish(
        File::new("id", "en", "vocab", "3.10", "vocab.iden.spm", pten_vocab),
        true,
    );
    r.publish(
        File::new(
            "id",
            "en",
            "lex",
            "3.10",
            "lex.50.50.iden.s2t.bin",
            pten_lex,
        )
        .filter(NOT_ANDROID_RELEASE),
        true,
    );
    r.publish(
        File::new(
            "en",
            "zh-Hans",
            "model",
            "3.1",
            "model.enzh.intgemm.alphas.bin",
            enpt_model,
        ),
        true,
    );
    r.publish(
        File::new(
            "en",
            "zh-Hans",
            "srcvocab",
            "3.1",
            "srcvocab.enzh.spm",
            enpt_vocab.clone(),
        ),
        true,
    );
    r.publish(
        File::new(
            "en",
            "zh-Hans",
            "trgvocab",
            "3.1",
            "trgvocab.enzh.spm",
            enpt_vocab,
        ),
        true,
    );
    r.publish(
        File::new(
            "en",
            "zh-Hans",
            "lex",
            "3.1",
            "lex.50.50.enzh.s2t.bin",
            enpt_lex,
        ),
        true,
    );

    // An older version of the same files: "3.9" sorts after "3.10" as text.
    r.publish(
        File::new(
            "id",
            "en",
            "model",
            "3.9",
            "model.iden.intgemm.alphas.bin",
            junk("3.9 model"),
        ),
        false,
    );
    r.publish(
        File::new(
            "id",
            "en",
            "vocab",
            "3.9",
            "vocab.iden.spm",
            junk("3.9 vocab"),
        ),
        false,
    );
    // The shared vocab en→zh-Hans had before it switched to split vocabs.
    r.publish(
        File::new(
            "en",
            "zh-Hans",
            "model",
            "3.0",
            "model.enzh.intgemm.alphas.bin",
            junk("3.0 model"),
        ),
        false,
    );
    r.publish(
        File::new(
            "en",
            "zh-Hans",
            "vocab",
            "3.0",
            "vocab.enzh.spm",
            junk("3.0 shared vocab"),
        ),
        false,
    );
    // A pre-release, newer than the release.
    r.publish(
        File::new(
            "id",
            "en",
            "model",
            "3.11a1",
            "model.iden.intgemm.alphas.bin",
            junk("alpha"),
        ),
        false,
    );
    r.publish(
        File::new(
            "id",
            "en",
            "vocab",
            "3.11a1",
            "vocab.iden.spm",
            junk("alpha vocab"),
        ),
        false,
    );
    // Newer, but for Nightly only.
    r.publish(
        File::new(
            "id",
            "en",
            "model",
            "3.12",
            "model.iden.intgemm.alphas.bin",
            junk("nightly"),
        )
        .filter(NIGHTLY_ONLY),
        false,
    );
    r.publish(
        File::new(
            "id",
            "en",
            "vocab",
            "3.12",
            "vocab.iden.spm",
            junk("nightly vocab"),
        )
        .filter(NIGHTLY_ONLY),
        false,
    );
    // Newer, with an expression this client does not understand.
    r.publish(
        File::new(
            "id",
            "en",
            "model",
            "3.13",
            "model.iden.intgemm.alphas.bin",
            junk("jexl"),
        )
        .filter(NOT_UNDERSTOOD),
        false,
    );
    r.publish(
        File::new(
            "id",
            "en",
            "vocab",
            "3.13",
            "vocab.iden.spm",
            junk("jexl vocab"),
        )
        .filter(NOT_UNDERSTOOD),
        false,
    );
    // Newer, for Android only.
    for (t, name) in [
        ("model", "model.enzh.intgemm.alphas.bin"),
        ("srcvocab", "srcvocab.enzh.spm"),
        ("trgvocab", "trgvocab.enzh.spm"),
    ] {
        r.publish(
            File::new("en", "zh-Hans", t, "3.2", name, junk("android")).filter(ANDROID_ONLY),
            false,
        );
    }
    // Another major: a model format the engine may not read.
    r.publish(
        File::new(
            "id",
            "en",
            "model",
            "4.0",
            "model.iden.intgemm.alphas.bin",
            junk("v4"),
        ),
        false,
    );
    r.publish(
        File::new(
            "id",
            "en",
            "vocab",
            "4.0",
            "vocab.iden.spm",
            junk("v4 vocab"),
        ),
        false,
    );
    // Traditional Chinese is another language.
    r.publish(
        File::new(
            "en",
            "zh-Hant",
            "model",
            "3.1",
            "model.enzh_hant.intgemm.alphas.bin",
            junk("hant"),
        ),
        false,
    );
    r.publish(
        File::new(
            "en",
            "zh-Hant",
            "vocab",
            "3.1",
            "vocab.enzh_hant.spm",
            junk("hant vocab"),
        ),
        false,
    );
    // Same pair and version, but not a translation file / not this architecture.
    r.publish(
        File::new(
            "en",
            "zh-Hans",
            "qualityModel",
            "3.1",
            "qualityModel.enzh.bin",
            junk("quality"),
        ),
        false,
    );
    r.publish(
        File::new(
            "en",
            "zh-Hans",
            "lex",
            "3.1",
            "lex.50.50.enzh.base.s2t.bin",
            junk("base lex"),
        )
        .architecture("base"),
        false,
    );
    // en→ja exists only for Nightly: not published for a release client.
    r.publish(
        File::new(
            "en",
            "ja",
            "model",
            "3.1",
            "model.enja.intgemm.alphas.bin",
            junk("ja"),
        )
        .filter(NIGHTLY_ONLY),
        false,
    );
    r.publish(
        File::new(
            "en",
            "ja",
            "vocab",
            "3.1",
            "vocab.enja.spm",
            junk("ja vocab"),
        )
        .filter(NIGHTLY_ONLY),
        false,
    );
    r
}

// ---------------------------------------------------------------- helpers

fn warta(models: &Path, args: &[&str], stdin: &[u8]) -> Output {
    warta_env(models, args, stdin, &[])
}

fn warta_env(models: &Path, args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_warta"));
    cmd.args(args)
        .env("WARTA_MODELS_DIR", models)
        .env_remove("WARTA_MODELS_MIRROR")
        .env_remove("WARTA_REMOTE_SETTINGS")
        .env_remove("WARTA_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn warta");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// The result line `warta models pull` prints for `pair`.
fn line_for(o: &Output, pair: &str) -> String {
    let lines: Vec<String> = stdout(o)
        .lines()
        .filter(|l| l.split_whitespace().next() == Some(pair))
        .map(String::from)
        .collect();
    assert_eq!(lines.len(), 1, "one line for {pair} in {}", stdout(o));
    lines[0].clone()
}

/// A failure is one readable line on stderr, a non-zero exit, never a panic.
fn assert_one_line_failure(o: &Output, expect: &str) {
    let err = stderr(o);
    assert!(!o.status.success(), "expected failure: {}", stdout(o));
    assert!(!err.contains("panicked"), "panic: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err:?}");
    assert!(err.contains(expect), "{err:?} lacks {expect:?}");
}

/// Every file under `dir` (hidden ones included) with its SHA-256: the
/// "exactly as it was" of a store.
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let rel = p.strip_prefix(dir).unwrap().display().to_string();
            if p.is_dir() {
                out.insert(format!("{rel}/"), String::new());
                stack.push(p);
            } else {
                out.insert(rel, sha256(&std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

fn translate(models: &Path, from: &str, to: &str, text: &str) -> String {
    let o = warta(
        models,
        &["translate", "--from", from, "--to", to],
        text.as_bytes(),
    );
    assert!(o.status.success(), "{from}→{to}: {}", stderr(&o));
    stdout(&o)
}

/// Portuguese, since the "id" model is really pt→en. One sentence per line:
/// each line is its own segment, so the Chinese target's way of joining
/// sentences (no space) does not enter the comparison with en→pt.
const SENTENCE: &str = "Olá, como você está?\nO governo anunciou novas medidas hoje.\n";

/// What `id→en→zh` must print on the relabelled models: the real models run
/// directly, pt→en and then en→pt.
fn oracle(models: &Path) -> String {
    let english = translate(models, "pt", "en", SENTENCE);
    assert!(!english.trim().is_empty());
    translate(models, "en", "pt", &english)
}

fn attachments_requested(r: &Replica) -> Vec<String> {
    let mut v: Vec<String> = r
        .requested()
        .into_iter()
        .filter(|p| p.starts_with("/attachments/"))
        .collect();
    v.sort();
    v
}

// ---------------------------------------------------------------- tests

#[test]
fn pulls_exactly_the_files_desktop_release_firefox_would() {
    let Some(models) = test_models_if_fetched() else {
        return;
    };
    let replica = newsroom_replica(&models);
    let store = tempfile::tempdir().unwrap();

    let o = warta(
        store.path(),
        &[
            "models",
            "pull",
            "id-en",
            "en-zh",
            "en-ja",
            "--remote-settings",
            &replica.url(),
        ],
        b"",
    );
    // Issue 10, "done when": installs id-en and en-zh, names en-ja as not
    // published, exits non-zero.
    assert!(
        line_for(&o, "id-en").contains("installed 3.10"),
        "{}",
        stdout(&o)
    );
    assert!(
        line_for(&o, "en-zh").contains("installed 3.1 "),
        "{}",
        stdout(&o)
    );
    assert!(
        line_for(&o, "en-ja").contains("not published by Mozilla"),
        "{}",
        stdout(&o)
    );
    assert_one_line_failure(&o, "en-ja not published by Mozilla");

    // The server saw the root, the records, and the attachments of the
    // chosen sets — no decoy, nothing twice.
    let log = replica.requested();
    assert_eq!(log.iter().filter(|p| *p == "/v1/").count(), 1, "{log:?}");
    assert_eq!(log.iter().filter(|p| *p == RECORDS).count(), 1, "{log:?}");
    for decoy in &replica.decoys {
        assert!(!log.contains(decoy), "downloaded a decoy {decoy}");
    }
    let mut wanted = replica.wanted.clone();
    wanted.sort();
    assert_eq!(attachments_requested(&replica), wanted);

    // The store holds the chosen files under the names Mozilla gave them.
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(store.path().join("en-zh/manifest.json")).unwrap(),
    )
    .unwrap();
    let mut names: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "lex.50.50.enzh.s2t.bin",
            "model.enzh.intgemm.alphas.bin",
            "srcvocab.enzh.spm",
            "trgvocab.enzh.spm"
        ]
    );
    assert_eq!(manifest["version"], "3.1");
    assert_eq!(
        manifest["origin"],
        format!("remote-settings:{}", replica.url())
    );
    assert!(!store.path().join("en-ja").exists());

    // id → zh runs through English on the installed files, and says what
    // the real models say.
    assert_eq!(
        translate(store.path(), "id", "zh", SENTENCE),
        oracle(&models)
    );
    let o = warta(store.path(), &["models", "verify"], b"");
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));

    // Pulling again downloads nothing: the installed files are the ones
    // published.
    let before = attachments_requested(&replica).len();
    let o = warta(
        store.path(),
        &[
            "models",
            "pull",
            "id-en",
            "en-zh",
            "--remote-settings",
            &replica.url(),
        ],
        b"",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        line_for(&o, "id-en").contains("already current"),
        "{}",
        stdout(&o)
    );
    assert!(
        line_for(&o, "en-zh").contains("already current"),
        "{}",
        stdout(&o)
    );
    assert_eq!(attachments_requested(&replica).len(), before);
}

#[test]
fn a_bad_attachment_leaves_the_store_exactly_as_it_was() {
    let Some(models) = test_models_if_fetched() else {
        return;
    };
    let mut replica = newsroom_replica(&models);
    let store = tempfile::tempdir().unwrap();
    let o = warta(
        store.path(),
        &[
            "models",
            "pull",
            "id-en",
            "--remote-settings",
            &replica.url(),
        ],
        b"",
    );
    assert!(o.status.success(), "{}", stderr(&o));

    // Mozilla publishes id→en 3.14; its model attachment then arrives
    // broken in three ways. Each pull must fail naming the file, and leave
    // the installed 3.10 untouched.
    let model = std::fs::read(models.join("pt-en/model.pten.intgemm.alphas.bin")).unwrap();
    let new_model = replica.publish(
        File::new(
            "id",
            "en",
            "model",
            "3.14",
            "model.iden.intgemm.alphas.bin",
            model,
        ),
        true,
    );
    let vocab = std::fs::read(models.join("pt-en/vocab.pten.spm")).unwrap();
    replica.publish(
        File::new("id", "en", "vocab", "3.14", "vocab.iden.spm", vocab),
        true,
    );
    let good = replica.body(&new_model);
    let mut flipped = good.clone();
    flipped[good.len() / 2] ^= 0x55;
    let mut longer = good.clone();
    longer.extend(std::iter::repeat_n(0u8, 4 << 20));
    let cases = [
        ("truncated", good[..good.len() / 2].to_vec()),
        ("more than the", longer),
        ("checksum mismatch", flipped),
    ];
    let before = snapshot(store.path());
    for (expect, body) in cases {
        replica.serve_instead(&new_model, body);
        let o = warta(
            store.path(),
            &[
                "models",
                "pull",
                "id-en",
                "--remote-settings",
                &replica.url(),
            ],
            b"",
        );
        let line = line_for(&o, "id-en");
        assert!(
            line.contains("failed: model.iden.intgemm.alphas.bin: ") && line.contains(expect),
            "{line}"
        );
        assert_one_line_failure(&o, "model.iden.intgemm.alphas.bin");
        assert_eq!(
            snapshot(store.path()),
            before,
            "store changed after a {expect} attachment"
        );
    }

    // The same three into an empty store leave it empty.
    let empty = tempfile::tempdir().unwrap();
    replica.serve_instead(&new_model, good[..100].to_vec());
    let o = warta(
        empty.path(),
        &[
            "models",
            "pull",
            "id-en",
            "--remote-settings",
            &replica.url(),
        ],
        b"",
    );
    assert_one_line_failure(&o, "model.iden.intgemm.alphas.bin");
    assert!(
        snapshot(empty.path()).is_empty(),
        "{:?}",
        snapshot(empty.path())
    );

    // Served intact, 3.14 installs.
    replica.serve_instead(&new_model, good);
    let o = warta(
        store.path(),
        &[
            "models",
            "pull",
            "id-en",
            "--remote-settings",
            &replica.url(),
        ],
        b"",
    );
    assert!(
        line_for(&o, "id-en").contains("installed 3.14"),
        "{}{}",
        stdout(&o),
        stderr(&o)
    );
}

#[test]
fn an_unreachable_server_is_one_line_naming_it() {
    let store = tempfile::tempdir().unwrap();
    // Port 1 on loopback: nothing listens, the connection is refused.
    let o = warta(
        store.path(),
        &[
            "models",
            "pull",
            "id-en",
            "--remote-settings",
            "http://127.0.0.1:1/v1",
        ],
        b"",
    );
    assert_one_line_failure(
        &o,
        "could not read Remote Settings at http://127.0.0.1:1/v1/",
    );
    assert!(snapshot(store.path()).is_empty());
}

#[test]
fn a_mirror_of_pulled_models_serves_the_other_machines() {
    let Some(models) = test_models_if_fetched() else {
        return;
    };
    let replica = newsroom_replica(&models);
    let first = tempfile::tempdir().unwrap();
    let o = warta(
        first.path(),
        &[
            "models",
            "pull",
            "id-en",
            "en-zh",
            "--remote-settings",
            &replica.url(),
        ],
        b"",
    );
    assert!(o.status.success(), "{}", stderr(&o));

    let mirror = tempfile::tempdir().unwrap();
    let o = warta(
        first.path(),
        &["models", "mirror", mirror.path().to_str().unwrap()],
        b"",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let url = http::serve_dir(mirror.path());

    let second = tempfile::tempdir().unwrap();
    let o = warta(
        second.path(),
        &["models", "pull", "id-en", "en-zh", "--mirror", &url],
        b"",
    );
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(
        line_for(&o, "en-zh").contains("installed 3.1 "),
        "{}",
        stdout(&o)
    );
    assert!(warta(second.path(), &["models", "verify"], b"")
        .status
        .success());
    assert_eq!(
        translate(second.path(), "id", "zh", SENTENCE),
        oracle(&models)
    );
    // Same files, byte for byte, as the machine that pulled from Mozilla.
    let files = |root: &Path| {
        snapshot(root)
            .into_iter()
            .filter(|(k, _)| !k.ends_with("manifest.json"))
            .collect::<BTreeMap<_, _>>()
    };
    assert_eq!(files(second.path()), files(first.path()));
    // A pair the mirror does not carry is reported, not fatal to the rest.
    let o = warta(
        second.path(),
        &["models", "pull", "en-ja", "id-en", "--mirror", &url],
        b"",
    );
    assert!(
        line_for(&o, "en-ja").contains("not on the mirror"),
        "{}",
        stdout(&o)
    );
    assert!(
        line_for(&o, "id-en").contains("already current"),
        "{}",
        stdout(&o)
    );
    assert_one_line_failure(&o, "en-ja");
}

/// `warta models pull --for-config` for a newsroom of `config_toml` in a
/// fresh folder (its store `models` there), the server named by the
/// environment override of `remote_settings`; it must succeed. The output
/// and the store.
fn pull_for_config(dir: &Path, config_toml: &str, replica: &Replica) -> (Output, PathBuf) {
    let config = dir.join("warta.toml");
    std::fs::write(&config, config_toml).unwrap();
    let store = dir.join("models");
    let o = warta_env(
        &store,
        &[
            "models",
            "pull",
            "--for-config",
            "--config",
            config.to_str().unwrap(),
        ],
        b"",
        &[("WARTA_REMOTE_SETTINGS", &replica.url())],
    );
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(
        line_for(&o, "id-en").contains("installed"),
        "{}",
        stdout(&o)
    );
    (o, store)
}

#[test]
fn for_config_pulls_the_route_the_newsroom_needs() {
    let Some(models) = test_models_if_fetched() else {
        return;
    };
    let replica = newsroom_replica(&models);
    let dir = tempfile::tempdir().unwrap();
    // Mozilla has no id→zh, so both legs through English.
    let (o, store) = pull_for_config(
        dir.path(),
        "source = \"id\"\ntargets = [\"zh\"]\n",
        &replica,
    );
    assert!(
        line_for(&o, "en-zh").contains("installed"),
        "{}",
        stdout(&o)
    );
    assert_eq!(translate(&store, "id", "zh", SENTENCE), oracle(&models));
}

/// The adequacy check scores a direct pair's output under its reverse model,
/// so `--for-config` pulls it too where the server publishes it (here en→id,
/// published for this test from the en→pt test model's files), and not when
/// the newsroom turns the check off.
#[test]
fn for_config_pulls_the_reverse_of_a_direct_pair_for_the_adequacy_check() {
    let Some(models) = test_models_if_fetched() else {
        return;
    };
    let mut replica = newsroom_replica(&models);
    let read = |file: &str| std::fs::read(models.join("en-pt").join(file)).unwrap();
    for (kind, name, file) in [
        (
            "model",
            "model.enid.intgemm.alphas.bin",
            "model.enpt.intgemm.alphas.bin",
        ),
        ("vocab", "vocab.enid.spm", "vocab.enpt.spm"),
        ("lex", "lex.50.50.enid.s2t.bin", "lex.50.50.enpt.s2t.bin"),
    ] {
        replica.publish(File::new("en", "id", kind, "3.10", name, read(file)), true);
    }
    for (extra, reverse_pulled) in [("", true), ("adequacy = false\n", false)] {
        let dir = tempfile::tempdir().unwrap();
        let newsroom = format!("source = \"id\"\ntargets = [\"en\"]\n{extra}");
        let (o, _) = pull_for_config(dir.path(), &newsroom, &replica);
        let has_reverse = stdout(&o)
            .lines()
            .any(|l| l.split_whitespace().next() == Some("en-id"));
        assert_eq!(has_reverse, reverse_pulled, "{extra:?}: {}", stdout(&o));
        if reverse_pulled {
            assert!(
                line_for(&o, "en-id").contains("installed"),
                "{}",
                stdout(&o)
            );
        }
    }
}
