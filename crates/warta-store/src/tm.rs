//! Translation memory: segment translations already made, reused exactly.
//!
//! Key (DESIGN.md, data flow): the normalised source text, the pair, the
//! model id and the glossary version; human entries win. A human entry is
//! keyed by pair and source alone — an editor's correction holds whatever
//! model or glossary produced the text it corrected — and a newer correction
//! of the same source replaces the older one. A machine entry only matches
//! the model and glossary version that produced it.
//!
//! Normalisation belongs to the segmenter; the store only hashes what it is
//! given, with [`tm_source_hash`], the one place that defines the hash.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use warta_core::Pair;

use crate::error::{Result, StoreError};
use crate::types::Origin;
use crate::{now_millis, sha256_hex, with_db, Store};

/// Lookup key of a normalised source segment: SHA-256, lower-case hex.
pub fn tm_source_hash(source_norm: &str) -> String {
    sha256_hex(source_norm)
}

/// How many hashes go into one `IN (…)` list: far below both databases'
/// bind-parameter limits (SQLite 32766, PostgreSQL 65535).
const LOOKUP_CHUNK: usize = 500;

/// A translation to remember.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTmEntry {
    pub pair: Pair,
    /// Normalised source segment; its [`tm_source_hash`] is the key.
    pub source_norm: String,
    pub target_text: String,
    pub origin: Origin,
    /// Required for machine entries.
    pub model_id: Option<String>,
    pub glossary_version: i64,
}

/// A translation found in memory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TmHit {
    pub target_text: String,
    pub origin: Origin,
}

#[derive(sqlx::FromRow)]
struct TmRow {
    id: i64,
    source_hash: String,
    target_text: String,
    origin: String,
}

fn builder<DB: sqlx::Database>(_pool: &sqlx::Pool<DB>, init: &str) -> sqlx::QueryBuilder<DB>
where
    DB::Arguments: Default,
{
    sqlx::QueryBuilder::new(init)
}

impl Store {
    /// Look up `source_hashes` (from [`tm_source_hash`]) for `pair`. A hash
    /// is found if a human entry exists, or a machine entry made by
    /// `model_id` under `glossary_version`; the human entry wins when both
    /// exist. Counts a hit on every entry returned.
    pub async fn tm_lookup(
        &self,
        pair: Pair,
        source_hashes: &[String],
        model_id: &str,
        glossary_version: i64,
    ) -> Result<HashMap<String, TmHit>> {
        let mut found: HashMap<String, (i64, TmHit)> = HashMap::new();
        for chunk in source_hashes.chunks(LOOKUP_CHUNK) {
            let rows: Vec<TmRow> = with_db!(self, |pool, _d| {
                let mut q = builder(pool, "SELECT id, source_hash, target_text, origin FROM translation_memory WHERE src_lang = ");
                q.push_bind(pair.src.code());
                q.push(" AND trg_lang = ");
                q.push_bind(pair.trg.code());
                q.push(" AND (origin = 'human' OR (model_id = ");
                q.push_bind(model_id);
                q.push(" AND glossary_version = ");
                q.push_bind(glossary_version);
                q.push(")) AND source_hash IN (");
                let mut list = q.separated(", ");
                for h in chunk {
                    list.push_bind(h.as_str());
                }
                q.push(")");
                q.build_query_as().fetch_all(pool).await?
            });
            for r in rows {
                let origin = crate::types::origin_from_db(&r.origin)?;
                let keep_existing = found
                    .get(&r.source_hash)
                    .is_some_and(|(_, h)| h.origin == Origin::Human);
                if !keep_existing {
                    found.insert(
                        r.source_hash,
                        (
                            r.id,
                            TmHit {
                                target_text: r.target_text,
                                origin,
                            },
                        ),
                    );
                }
            }
        }
        let ids: Vec<i64> = found.values().map(|(id, _)| *id).collect();
        for chunk in ids.chunks(LOOKUP_CHUNK) {
            with_db!(self, |pool, _d| {
                let mut q = builder(
                    pool,
                    "UPDATE translation_memory SET hits = hits + 1 WHERE id IN (",
                );
                let mut list = q.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                q.push(")");
                q.build().execute(pool).await?;
            });
        }
        Ok(found.into_iter().map(|(k, (_, hit))| (k, hit)).collect())
    }

    /// Remember `entries` in one transaction. A machine entry already known
    /// for the same key is kept; a human entry replaces the previous human
    /// entry for the same source. Returns how many rows were written.
    pub async fn tm_insert_many(&self, entries: &[NewTmEntry]) -> Result<u64> {
        check_memory(entries)?;
        let now = now_millis();
        Ok(with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            let written = insert_memory_in_tx!(&mut *tx, entries, now);
            tx.commit().await?;
            written
        }))
    }
}

/// Refuse entries the memory cannot key: a machine entry needs its model id.
pub(crate) fn check_memory(entries: &[NewTmEntry]) -> Result<()> {
    match entries
        .iter()
        .find(|e| e.origin == Origin::Machine && e.model_id.as_deref().is_none_or(str::is_empty))
    {
        Some(e) => Err(StoreError::Invalid(format!(
            "machine translation memory entry for `{}` needs a model id",
            e.source_norm
        ))),
        None => Ok(()),
    }
}

// Conflict targets name the partial unique indexes of the schema.
pub(crate) const INSERT_MACHINE: &str =
    "INSERT INTO translation_memory (src_lang, trg_lang, source_hash, source_text, target_text, \
     origin, model_id, glossary_version, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
     ON CONFLICT (src_lang, trg_lang, source_hash, model_id, glossary_version) \
     WHERE origin = 'machine' DO NOTHING";
pub(crate) const INSERT_HUMAN: &str =
    "INSERT INTO translation_memory (src_lang, trg_lang, source_hash, source_text, target_text, \
     origin, model_id, glossary_version, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
     ON CONFLICT (src_lang, trg_lang, source_hash) WHERE origin = 'human' DO UPDATE SET \
     source_text = excluded.source_text, target_text = excluded.target_text, \
     model_id = excluded.model_id, glossary_version = excluded.glossary_version, \
     created_at = excluded.created_at";

/// Insert checked ([`check_memory`]) entries inside the open transaction
/// `$tx`; evaluates to the rows written. A machine entry already known for
/// the same key is kept; a human entry replaces the previous human entry
/// for the same source. A macro because the transaction's type differs per
/// database.
macro_rules! insert_memory_in_tx {
    ($tx:expr, $entries:expr, $now:expr) => {{
        let mut written = 0u64;
        for e in $entries {
            let e: &$crate::tm::NewTmEntry = e;
            let sql = match e.origin {
                $crate::types::Origin::Machine => $crate::tm::INSERT_MACHINE,
                $crate::types::Origin::Human => $crate::tm::INSERT_HUMAN,
            };
            written += sqlx::query(sql)
                .bind(e.pair.src.code())
                .bind(e.pair.trg.code())
                .bind($crate::tm::tm_source_hash(&e.source_norm))
                .bind(&e.source_norm)
                .bind(&e.target_text)
                .bind(e.origin.as_str())
                .bind(&e.model_id)
                .bind(e.glossary_version)
                .bind($now)
                .execute(&mut *$tx)
                .await?
                .rows_affected();
        }
        written
    }};
}
pub(crate) use insert_memory_in_tx;
