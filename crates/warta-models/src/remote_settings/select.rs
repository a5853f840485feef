//! Choosing one coherent file set for a pair, as Firefox does.
//!
//! Firefox (`TranslationsParent.#getTranslationModelRecords`) keeps, per file,
//! the highest version inside the supported major, then per language pair
//! keeps only the files whose version equals the model record's version
//! (`#filterByModelVersion`): after Mozilla moves a pair from a shared `vocab`
//! to `srcvocab`/`trgvocab`, the old `vocab` record stays in the collection
//! and must not be combined with the new model. Here the same rule is applied
//! in one step, and a bit stricter: the set is the chosen model's version,
//! architecture and variant, and it must be complete and unambiguous (one
//! model, one vocabulary arrangement, at most one shortlist) or the pull fails
//! rather than installing a guess.
//!
//! Firefox offers a `variant` as a separate model of the pair; warta wants
//! the standard one, so a variant is taken only when the pair has no plain
//! model at all.

use super::filter::{admits, ClientEnv};
use super::version::ModelVersion;
use super::Record;
use crate::manifest::Role;

/// Which records a pull may consider.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub env: ClientEnv,
    pub major: u64,
    /// Take alphas/betas too (`--allow-prerelease`).
    pub allow_prerelease: bool,
}

/// The files of one model, all of the same version, architecture and variant.
#[derive(Debug, Clone)]
pub struct FileSet<'a> {
    pub version: ModelVersion,
    pub architecture: Option<String>,
    pub variant: Option<String>,
    pub files: Vec<(Role, &'a Record)>,
}

#[derive(Debug)]
pub enum Choice<'a> {
    Set(FileSet<'a>),
    /// No model record for the pair passes the policy.
    NotPublished,
    /// The chosen version's records do not form a usable model.
    Incoherent(String),
}

/// Choose the file set for `src → trg` (Mozilla tags).
pub fn choose<'a>(records: &'a [Record], src: &str, trg: &str, policy: &Policy) -> Choice<'a> {
    // Every record this client may use for the pair, with its parsed version
    // and role; `qualityModel` and unknown file types have no role.
    let usable: Vec<(ModelVersion, Role, &Record)> = records
        .iter()
        .filter(|r| r.source_language == src && r.target_language == trg)
        .filter_map(|r| {
            let role = Role::from_record_type(&r.file_type)?;
            let v = ModelVersion::parse(&r.version)?;
            let ok = v.major() == policy.major
                && (policy.allow_prerelease || !v.is_prerelease())
                && admits(r.filter_expression.as_deref().unwrap_or(""), &policy.env);
            ok.then_some((v, role, r))
        })
        .collect();

    let best_model = usable
        .iter()
        .filter(|(_, role, _)| *role == Role::Model)
        .max_by(|a, b| {
            let plain = |r: &Record| r.variant.is_none();
            plain(a.2)
                .cmp(&plain(b.2))
                .then_with(|| a.0.cmp(&b.0))
                .then_with(|| architecture_rank(a.2).cmp(&architecture_rank(b.2)))
        });
    let Some((version, _, model)) = best_model else {
        return Choice::NotPublished;
    };
    let same_set = |r: &Record| {
        r.version == model.version
            && r.architecture == model.architecture
            && r.variant == model.variant
    };
    let files: Vec<(Role, &Record)> = usable
        .iter()
        .filter(|(_, _, r)| same_set(r))
        .map(|(_, role, r)| (*role, *r))
        .collect();

    let describe = || {
        let mut d = format!("version {}", model.version);
        if let Some(a) = &model.architecture {
            d.push_str(&format!(" {a}"));
        }
        if let Some(v) = &model.variant {
            d.push_str(&format!(" variant {v}"));
        }
        d
    };
    let count = |role: Role| files.iter().filter(|(r, _)| *r == role).count();
    for role in [
        Role::Model,
        Role::Lex,
        Role::Vocab,
        Role::Srcvocab,
        Role::Trgvocab,
    ] {
        if count(role) > 1 {
            return Choice::Incoherent(format!(
                "{} lists {} {role:?} files",
                describe(),
                count(role)
            ));
        }
    }
    let shared = count(Role::Vocab) == 1;
    let split = (count(Role::Srcvocab), count(Role::Trgvocab));
    match (shared, split) {
        (true, (0, 0)) | (false, (1, 1)) => {}
        (false, (0, 0)) => return Choice::Incoherent(format!("{} has no vocabulary", describe())),
        _ => {
            return Choice::Incoherent(format!(
                "{} mixes vocabularies (vocab: {}, srcvocab: {}, trgvocab: {})",
                describe(),
                count(Role::Vocab),
                split.0,
                split.1
            ))
        }
    }
    let mut names: Vec<&str> = files.iter().map(|(_, r)| r.name.as_str()).collect();
    names.sort_unstable();
    if names.windows(2).any(|w| w[0] == w[1]) {
        return Choice::Incoherent(format!("{} names two files the same", describe()));
    }
    Choice::Set(FileSet {
        version: version.clone(),
        architecture: model.architecture.clone(),
        variant: model.variant.clone(),
        files,
    })
}

/// Between models of the same version, the larger architecture: a newsroom
/// server is not short of memory, and quality is what it publishes
/// (Mozilla's architectures, best first: base, base-memory, tiny).
fn architecture_rank(r: &Record) -> u8 {
    match r.architecture.as_deref() {
        Some("base") => 3,
        Some("base-memory") => 2,
        Some("tiny") => 1,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::super::filter::DESKTOP_RELEASE;
    use super::super::Attachment;
    use super::*;

    const POLICY: Policy = Policy {
        env: DESKTOP_RELEASE,
        major: 3,
        allow_prerelease: false,
    };

    fn rec(src: &str, trg: &str, file_type: &str, version: &str, name: &str) -> Record {
        Record {
            id: format!("{file_type}-{version}-{name}"),
            name: name.into(),
            version: version.into(),
            file_type: file_type.into(),
            architecture: Some("base".into()),
            source_language: src.into(),
            target_language: trg.into(),
            decompressed_hash: "0".repeat(64),
            decompressed_size: 1,
            filter_expression: Some(String::new()),
            variant: None,
            attachment: Attachment {
                hash: "1".repeat(64),
                size: 1,
                filename: format!("{name}.zst"),
                location: format!("x/{name}"),
                mimetype: Some("application/zstd".into()),
            },
        }
    }

    fn names(c: Choice) -> (String, Vec<String>) {
        match c {
            Choice::Set(s) => {
                let mut n: Vec<String> = s.files.iter().map(|(_, r)| r.id.clone()).collect();
                n.sort();
                (s.version.to_string(), n)
            }
            other => panic!("expected a set, got {other:?}"),
        }
    }

    #[test]
    fn a_leftover_shared_vocab_is_not_combined_with_split_vocabs() {
        // The case #filterByModelVersion exists for (its doc comment in
        // TranslationsParent.sys.mjs): 3.0 shipped a shared vocab, 3.1 split it.
        let records = vec![
            rec("en", "zh-Hans", "model", "3.0", "model.enzh.bin"),
            rec("en", "zh-Hans", "vocab", "3.0", "vocab.enzh.spm"),
            rec("en", "zh-Hans", "model", "3.1", "model.enzh.bin"),
            rec("en", "zh-Hans", "srcvocab", "3.1", "srcvocab.enzh.spm"),
            rec("en", "zh-Hans", "trgvocab", "3.1", "trgvocab.enzh.spm"),
            rec(
                "en",
                "zh-Hans",
                "qualityModel",
                "3.1",
                "qualityModel.enzh.bin",
            ),
        ];
        let (v, files) = names(choose(&records, "en", "zh-Hans", &POLICY));
        assert_eq!(v, "3.1");
        assert_eq!(
            files,
            [
                "model-3.1-model.enzh.bin",
                "srcvocab-3.1-srcvocab.enzh.spm",
                "trgvocab-3.1-trgvocab.enzh.spm"
            ]
        );
        assert!(matches!(
            choose(&records, "en", "zh-Hant", &POLICY),
            Choice::NotPublished
        ));
    }

    #[test]
    fn highest_released_supported_version_wins() {
        let mut records = Vec::new();
        for v in ["3.9", "3.10", "3.11a1", "4.0", "2.5"] {
            records.push(rec("id", "en", "model", v, "model.iden.bin"));
            records.push(rec("id", "en", "vocab", v, "vocab.iden.spm"));
        }
        let mut nightly = rec("id", "en", "model", "3.12", "model.iden.bin");
        nightly.filter_expression =
            Some("env.channel == 'default' || env.channel == 'nightly'".into());
        records.push(nightly);
        let mut unknown = rec("id", "en", "model", "3.13", "model.iden.bin");
        unknown.filter_expression = Some("env.version|versionCompare('130') >= 0".into());
        records.push(unknown);
        assert_eq!(names(choose(&records, "id", "en", &POLICY)).0, "3.10");
        let pre = Policy {
            allow_prerelease: true,
            ..POLICY
        };
        assert_eq!(names(choose(&records, "id", "en", &pre)).0, "3.11a1");
    }

    #[test]
    fn incomplete_or_ambiguous_sets_are_refused() {
        let only_model = vec![rec("en", "ja", "model", "3.0", "model.enja.bin")];
        assert!(
            matches!(choose(&only_model, "en", "ja", &POLICY), Choice::Incoherent(m) if m.contains("no vocabulary"))
        );
        let mixed = vec![
            rec("en", "ja", "model", "3.0", "model.enja.bin"),
            rec("en", "ja", "vocab", "3.0", "vocab.enja.spm"),
            rec("en", "ja", "srcvocab", "3.0", "srcvocab.enja.spm"),
        ];
        assert!(
            matches!(choose(&mixed, "en", "ja", &POLICY), Choice::Incoherent(m) if m.contains("mixes"))
        );
        let twice = vec![
            rec("en", "ja", "model", "3.0", "model.enja.bin"),
            rec("en", "ja", "model", "3.0", "model.enja.bin"),
            rec("en", "ja", "vocab", "3.0", "vocab.enja.spm"),
        ];
        assert!(matches!(
            choose(&twice, "en", "ja", &POLICY),
            Choice::Incoherent(_)
        ));
    }

    #[test]
    fn other_architectures_of_the_same_version_are_not_mixed_in() {
        let mut tiny_lex = rec("en", "fr", "lex", "3.0", "lex.enfr.tiny.bin");
        tiny_lex.architecture = Some("tiny".into());
        let mut tiny_model = rec("en", "fr", "model", "3.0", "model.enfr.tiny.bin");
        tiny_model.architecture = Some("tiny".into());
        let records = vec![
            tiny_model,
            tiny_lex,
            rec("en", "fr", "model", "3.0", "model.enfr.bin"),
            rec("en", "fr", "vocab", "3.0", "vocab.enfr.spm"),
        ];
        let (_, files) = names(choose(&records, "en", "fr", &POLICY));
        assert_eq!(
            files,
            ["model-3.0-model.enfr.bin", "vocab-3.0-vocab.enfr.spm"]
        );
    }
}
