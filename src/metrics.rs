//! Prometheus metrics: what kiwi counts as it works, rendered in the text format at
//! `/metrics`. Counters on hot paths are registered once at start and kept as handles, so
//! counting is an atomic add: no allocation, no look-up by name.
//!
//! kiwi counts only when something can read the figures (`KIWI_METRICS_TOKEN` or
//! `KIWI_METRICS_BIND` is set). Otherwise no recorder is installed and every handle is a
//! no-op, so an instance without `/metrics` does no counting work at all.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Duration;

use metrics::{Counter, Gauge, Histogram};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// The outcome of one sign-in try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInOutcome {
    SignedIn,
    Refused,
    Throttled,
    Busy,
    /// The password was right; the second factor is asked next.
    SecondStep,
}

impl SignInOutcome {
    const ALL: [SignInOutcome; 5] = [
        SignInOutcome::SignedIn,
        SignInOutcome::Refused,
        SignInOutcome::Throttled,
        SignInOutcome::Busy,
        SignInOutcome::SecondStep,
    ];

    fn label(self) -> &'static str {
        match self {
            SignInOutcome::SignedIn => "signed_in",
            SignInOutcome::Refused => "refused",
            SignInOutcome::Throttled => "throttled",
            SignInOutcome::Busy => "busy",
            SignInOutcome::SecondStep => "second_step",
        }
    }
}

/// The answer of one access check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessOutcome {
    Allowed,
    Denied,
    /// kiwi could not confirm entitlements (feed stale, database gone): closed.
    Unconfirmed,
    /// No such tool, no valid key, no session: refused before deciding.
    Refused,
}

impl AccessOutcome {
    const ALL: [AccessOutcome; 4] = [
        AccessOutcome::Allowed,
        AccessOutcome::Denied,
        AccessOutcome::Unconfirmed,
        AccessOutcome::Refused,
    ];

    fn label(self) -> &'static str {
        match self {
            AccessOutcome::Allowed => "allowed",
            AccessOutcome::Denied => "denied",
            AccessOutcome::Unconfirmed => "unconfirmed",
            AccessOutcome::Refused => "refused",
        }
    }
}

/// Route groups whose request latency is measured (the first path segment).
const ROUTE_GROUPS: [&str; 10] = [
    "start",
    "courses",
    "attempts",
    "certificates",
    "tools",
    "team",
    "hr",
    "admin",
    "login",
    "other",
];

/// Buckets of the request latency histogram, in seconds.
const LATENCY_BUCKETS: [f64; 12] = [
    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

pub struct Metrics {
    /// None: counting is off (no `/metrics` is served), every handle below is a no-op.
    handle: Option<PrometheusHandle>,
    sign_ins: [Counter; 5],
    /// Per tool id, one counter per [`AccessOutcome`].
    access: HashMap<String, [Counter; 4]>,
    /// Checks for a tool that does not exist.
    access_unknown_tool: Counter,
    latency: [Histogram; ROUTE_GROUPS.len()],
    feed_lag: Gauge,
    feed_last_sync: Gauge,
    pool_connections: Gauge,
    pool_idle: Gauge,
}

/// The process's recorder: the `metrics` crate keeps one per process (tests run several
/// servers in one), so it is installed once and its handle shared.
fn handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets(&LATENCY_BUCKETS)
                .unwrap_or_else(|_| PrometheusBuilder::new());
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            // Fails only if another recorder is installed; the handle still renders ours.
            let _ = metrics::set_global_recorder(recorder);
            // A recorder built this way has no upkeep of its own: without it, every latency
            // sample is kept until the next scrape, however long that takes.
            let upkeep = handle.clone();
            let _ = std::thread::Builder::new()
                .name("kiwi-metrics-upkeep".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(Duration::from_secs(5));
                        upkeep.run_upkeep();
                    }
                });
            handle
        })
        .clone()
}

impl Metrics {
    /// Registers every counter for these tools; with `enabled` false (nothing serves
    /// `/metrics`), installs no recorder and counts nothing.
    pub fn new<'a>(tools: impl IntoIterator<Item = &'a str>, enabled: bool) -> Metrics {
        if !enabled {
            return Metrics::off(tools);
        }
        let handle = Some(handle());
        metrics::describe_counter!("kiwi_sign_ins_total", "Sign-in tries by outcome");
        metrics::describe_counter!(
            "kiwi_access_checks_total",
            "Access checks by tool and result"
        );
        metrics::describe_histogram!(
            "kiwi_http_request_duration_seconds",
            metrics::Unit::Seconds,
            "Time to answer a page or form request, by route group"
        );
        metrics::describe_gauge!(
            "kiwi_feed_lag_seconds",
            metrics::Unit::Seconds,
            "Time since this instance last read the change feed successfully"
        );
        metrics::describe_gauge!(
            "kiwi_feed_last_sync_timestamp_seconds",
            metrics::Unit::Seconds,
            "When this instance last read the change feed successfully (Unix time)"
        );
        metrics::describe_gauge!("kiwi_outbox_items", "Outbox items by channel and status");
        metrics::describe_gauge!("kiwi_db_pool_connections", "Open database connections");
        metrics::describe_gauge!("kiwi_db_pool_idle_connections", "Idle database connections");
        metrics::describe_gauge!("kiwi_build_info", "The running build");
        metrics::gauge!("kiwi_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
        let access_counters = |tool: String| {
            AccessOutcome::ALL.map(|outcome| {
                metrics::counter!(
                    "kiwi_access_checks_total",
                    "tool" => tool.clone(),
                    "result" => outcome.label()
                )
            })
        };
        Metrics {
            handle,
            sign_ins: SignInOutcome::ALL.map(
                |outcome| metrics::counter!("kiwi_sign_ins_total", "outcome" => outcome.label()),
            ),
            access: tools
                .into_iter()
                .map(|tool| (tool.to_owned(), access_counters(tool.to_owned())))
                .collect(),
            access_unknown_tool: metrics::counter!(
                "kiwi_access_checks_total",
                "tool" => "(unknown)",
                "result" => AccessOutcome::Refused.label()
            ),
            latency: ROUTE_GROUPS.map(
                |group| metrics::histogram!("kiwi_http_request_duration_seconds", "group" => group),
            ),
            feed_lag: metrics::gauge!("kiwi_feed_lag_seconds"),
            feed_last_sync: metrics::gauge!("kiwi_feed_last_sync_timestamp_seconds"),
            pool_connections: metrics::gauge!("kiwi_db_pool_connections"),
            pool_idle: metrics::gauge!("kiwi_db_pool_idle_connections"),
        }
    }

    /// Every handle a no-op: what `new` gives when counting is off.
    fn off<'a>(tools: impl IntoIterator<Item = &'a str>) -> Metrics {
        Metrics {
            handle: None,
            sign_ins: SignInOutcome::ALL.map(|_| Counter::noop()),
            access: tools
                .into_iter()
                .map(|tool| (tool.to_owned(), AccessOutcome::ALL.map(|_| Counter::noop())))
                .collect(),
            access_unknown_tool: Counter::noop(),
            latency: ROUTE_GROUPS.map(|_| Histogram::noop()),
            feed_lag: Gauge::noop(),
            feed_last_sync: Gauge::noop(),
            pool_connections: Gauge::noop(),
            pool_idle: Gauge::noop(),
        }
    }

    /// Whether kiwi counts (a recorder is installed and `/metrics` is served).
    pub fn enabled(&self) -> bool {
        self.handle.is_some()
    }

    pub fn sign_in(&self, outcome: SignInOutcome) {
        let index = SignInOutcome::ALL
            .iter()
            .position(|o| *o == outcome)
            .unwrap_or(0);
        self.sign_ins[index].increment(1);
    }

    pub fn access_check(&self, tool: &str, outcome: AccessOutcome) {
        if self.handle.is_none() {
            return;
        }
        let index = AccessOutcome::ALL
            .iter()
            .position(|o| *o == outcome)
            .unwrap_or(0);
        match self.access.get(tool) {
            Some(counters) => counters[index].increment(1),
            None => self.access_unknown_tool.increment(1),
        }
    }

    /// Records how long a page request to `path` took.
    pub fn request(&self, path: &str, took: Duration) {
        let first = path
            .trim_start_matches('/')
            .split(['/', '?'])
            .next()
            .unwrap_or("");
        let group = match first {
            "" => "start",
            "password" | "logout" | "setup" | "invite" => "login",
            known if ROUTE_GROUPS.contains(&known) => known,
            _ => "other",
        };
        let index = ROUTE_GROUPS.iter().position(|g| *g == group).unwrap_or(0);
        self.latency[index].record(took.as_secs_f64());
    }

    /// Values read when scraped: how long ago the feed was last read (None: never), the
    /// database pool, the outbox.
    pub fn set_feed(&self, lag: Option<Duration>, now_unix: f64) {
        match lag {
            Some(lag) => {
                self.feed_lag.set(lag.as_secs_f64());
                self.feed_last_sync.set(now_unix - lag.as_secs_f64());
            }
            None => self.feed_lag.set(f64::INFINITY),
        }
    }

    pub fn set_pool(&self, connections: u32, idle: usize) {
        self.pool_connections.set(f64::from(connections));
        self.pool_idle.set(idle as f64);
    }

    pub fn set_outbox(&self, channel: &'static str, counts: &[(String, i64)]) {
        if self.handle.is_none() {
            return;
        }
        for (status, count) in counts {
            metrics::gauge!(
                "kiwi_outbox_items",
                "channel" => channel,
                "status" => status.clone()
            )
            .set(*count as f64);
        }
    }

    /// Everything in the Prometheus text format (empty when counting is off).
    pub fn render(&self) -> String {
        self.handle
            .as_ref()
            .map(PrometheusHandle::render)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_counts_nothing_and_renders_nothing() {
        let metrics = Metrics::new(["off-tool"], false);
        assert!(!metrics.enabled());
        metrics.access_check("off-tool", AccessOutcome::Allowed);
        metrics.sign_in(SignInOutcome::SignedIn);
        metrics.request("/courses", Duration::from_millis(3));
        assert_eq!(metrics.render(), "");
    }

    #[test]
    fn on_counts_each_check_by_tool_and_result() {
        let metrics = Metrics::new(["on-tool"], true);
        assert!(metrics.enabled());
        metrics.access_check("on-tool", AccessOutcome::Allowed);
        metrics.access_check("on-tool", AccessOutcome::Allowed);
        metrics.access_check("on-tool", AccessOutcome::Denied);
        let text = metrics.render();
        assert!(
            text.contains(r#"kiwi_access_checks_total{tool="on-tool",result="allowed"} 2"#),
            "{text}"
        );
        assert!(
            text.contains(r#"kiwi_access_checks_total{tool="on-tool",result="denied"} 1"#),
            "{text}"
        );
    }
}
