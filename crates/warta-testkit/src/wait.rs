use std::future::Future;
use std::time::{Duration, Instant};

/// Check `ready` now and then every 50 ms until it answers `Ok` or `within`
/// passes (then fail with its last answer).
///
/// Only for state another process owns (a `warta serve` child writing its
/// database): a test that owns the app waits on the app's own events (the
/// server tests' `TestApp::wait_until` wakes on each settled job).
pub async fn wait_until<T, F, Fut>(within: Duration, ready: F) -> T
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let deadline = Instant::now() + within;
    loop {
        let why = match ready().await {
            Ok(v) => return v,
            Err(why) => why,
        };
        assert!(Instant::now() < deadline, "after {within:?}: {why}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
