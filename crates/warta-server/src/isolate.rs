//! One job never takes others down with it: a batch that panics or fails
//! is run again one item at a time, so only the item that fails alone is
//! failed ([`isolate`]).

use std::panic::{catch_unwind, AssertUnwindSafe};

/// The text of a panic payload (`panic!("…")` gives `&str` or `String`).
pub(crate) fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-text payload".into()
    }
}

/// Why an item run by [`isolate`] failed on its own.
pub(crate) struct Fault {
    pub reason: String,
    pub panicked: bool,
}

/// Run `f` over `items` as one batch (`f` returns one result per item, in
/// order, or an error for the whole batch). If the batch panics or fails,
/// each item is run alone, so that only an item that also fails alone gets
/// `fault(…)` and every other item its own result. The batch is the fast
/// path; the one-by-one rerun only happens after a failure.
pub(crate) fn isolate<T: Clone, R>(
    items: Vec<T>,
    f: impl Fn(Vec<T>) -> Result<Vec<R>, String>,
    fault: impl Fn(Fault) -> R,
) -> Vec<R> {
    let run = |batch: Vec<T>| -> Result<Vec<R>, Fault> {
        let n = batch.len();
        match catch_unwind(AssertUnwindSafe(|| f(batch))) {
            Ok(Ok(r)) if r.len() == n => Ok(r),
            Ok(Ok(r)) => Err(Fault {
                reason: format!("internal: {} results for {n} jobs", r.len()),
                panicked: false,
            }),
            Ok(Err(reason)) => Err(Fault {
                reason,
                panicked: false,
            }),
            Err(p) => Err(Fault {
                reason: format!("panicked: {}", panic_message(&*p)),
                panicked: true,
            }),
        }
    };
    if items.len() > 1 {
        match run(items.clone()) {
            Ok(r) => return r,
            Err(f) => tracing::warn!(
                jobs = items.len(),
                "batch failed ({}); running its jobs one by one",
                f.reason
            ),
        }
    }
    items
        .into_iter()
        .map(|item| match run(vec![item]) {
            Ok(mut r) => r.pop().unwrap_or_else(|| {
                fault(Fault {
                    reason: "internal: no result".into(),
                    panicked: false,
                })
            }),
            Err(f) => fault(f),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A batch function that really panics when its batch holds the poison
    /// item, as the glossary matcher once did on Turkish `İ`.
    fn translate(batch: Vec<&'static str>) -> Result<Vec<String>, String> {
        batch
            .into_iter()
            .map(|s| match s {
                "poison" => panic!("byte index 3 is not a char boundary"),
                "broken" => Err("model failed to run".to_string()),
                s => Ok(s.to_uppercase()),
            })
            .collect()
    }

    fn fault(f: Fault) -> String {
        format!(
            "FAILED({}{})",
            if f.panicked { "panic: " } else { "" },
            f.reason
        )
    }

    #[test]
    fn a_panicking_job_fails_alone_and_its_batch_mates_are_translated() {
        let out = isolate(vec!["a", "poison", "b"], translate, fault);
        assert_eq!(out[0], "A");
        assert!(
            out[1].starts_with("FAILED(panic: panicked: byte index 3"),
            "{}",
            out[1]
        );
        assert_eq!(out[2], "B");
    }

    #[test]
    fn an_error_of_the_batch_is_narrowed_to_the_job_that_causes_it() {
        let out = isolate(vec!["broken", "c"], translate, fault);
        assert_eq!(
            out,
            vec!["FAILED(model failed to run)".to_string(), "C".to_string()]
        );
    }

    #[test]
    fn a_healthy_batch_runs_once_as_a_batch() {
        let calls = std::cell::Cell::new(0);
        let out = isolate(
            vec!["x", "y"],
            |b| {
                calls.set(calls.get() + 1);
                translate(b)
            },
            fault,
        );
        assert_eq!(out, vec!["X", "Y"]);
        assert_eq!(calls.get(), 1, "no one-by-one rerun without a failure");
    }
}
