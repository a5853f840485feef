//! Imported articles: which slug a feed item or WordPress post was given.
//!
//! The mapping is claimed *before* the article is stored (and is never a
//! foreign key), so an import that dies in between leaves a claim that the
//! next run completes, never a second article for the same item.

use warta_core::Slug;

use crate::error::Result;
use crate::types::parse_slug;
use crate::{now_millis, with_db, Store};

/// Longest suffix [`Store::claim_import_slug`] appends (`-99999`), so the
/// base is cut to leave room for it.
const SUFFIX_ROOM: usize = 6;

impl Store {
    /// The slug an earlier import gave the item `external_id` of `source`
    /// (`feed:<site>` or `wordpress:<site>`), if any.
    pub async fn imported_slug(&self, source: &str, external_id: &str) -> Result<Option<Slug>> {
        let slug: Option<String> = with_db!(self, |pool, _d| {
            sqlx::query_scalar("SELECT slug FROM imports WHERE source = $1 AND external_id = $2")
                .bind(source)
                .bind(external_id)
                .fetch_optional(pool)
                .await?
        });
        slug.map(|s| parse_slug(&s)).transpose()
    }

    /// The slug of the imported item `external_id` of `source`: the one it
    /// was given before, or else `wanted` — or `wanted-2`, `wanted-3`… when
    /// an article or another import already has that name, because an import
    /// must never revise an article it did not create. Recorded durably.
    pub async fn claim_import_slug(
        &self,
        source: &str,
        external_id: &str,
        wanted: &Slug,
    ) -> Result<Slug> {
        let now = now_millis();
        with_db!(self, |pool, dialect| {
            let mut tx = pool.begin_with(dialect.begin_write()).await?;
            let existing: Option<String> = sqlx::query_scalar(
                "SELECT slug FROM imports WHERE source = $1 AND external_id = $2",
            )
            .bind(source)
            .bind(external_id)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(s) = existing {
                return parse_slug(&s);
            }
            let mut n = 1u32;
            let slug = loop {
                let candidate = if n == 1 {
                    wanted.clone()
                } else {
                    let base =
                        Slug::from_text(wanted.as_str(), warta_core::MAX_SLUG_LEN - SUFFIX_ROOM)
                            .unwrap_or_else(|| wanted.clone());
                    parse_slug(&format!("{base}-{n}"))?
                };
                // Selecting the slug (TEXT on both databases), not a literal
                // 1, whose integer type differs between them.
                let taken: Option<String> = sqlx::query_scalar(
                    "SELECT slug FROM articles WHERE slug = $1 UNION ALL SELECT slug FROM imports WHERE slug = $1",
                )
                .bind(candidate.as_str())
                .fetch_optional(&mut *tx)
                .await?;
                if taken.is_none() {
                    break candidate;
                }
                n += 1;
                if n > 99_999 {
                    return Err(crate::StoreError::Conflict(format!(
                        "no free slug like `{wanted}`"
                    )));
                }
            };
            sqlx::query("INSERT INTO imports (source, external_id, slug, created_at) VALUES ($1, $2, $3, $4)")
                .bind(source)
                .bind(external_id)
                .bind(slug.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(slug)
        })
    }
}
