//! A dependency's panic on hostile input becomes an error, not a crash.
//!
//! Parsers of outside documents (feed-rs, quick-xml, serde_json) are run
//! through [`no_panic`]: a panic inside is caught and returned as its
//! message, and — because the default hook would still print "thread
//! panicked at …" and a backtrace hint before unwinding — the panic hook is
//! silenced for that call on that thread only. Everything else in the
//! process keeps the hook it had.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

static INSTALL: Once = Once::new();

/// Run `f`; a panic inside it is `Err(its message)`.
pub(crate) fn no_panic<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was = GUARDED.with(|g| g.replace(true));
    // The closure owns or borrows only the parser and its input, both
    // dropped or discarded after a panic: no broken state is observed.
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(was));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_its_message() {
        assert_eq!(no_panic(|| 7), Ok(7));
        let e = no_panic(|| -> u8 { panic!("broken at {}", 3) }).unwrap_err();
        assert_eq!(e, "broken at 3");
        // Nested and repeated calls keep working.
        assert_eq!(no_panic(|| no_panic(|| 1)), Ok(Ok(1)));
    }
}
