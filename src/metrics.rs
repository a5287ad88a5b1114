//! What an operator's Prometheus scrapes at `GET /metrics`: one registry for
//! the process, its metrics defined here and recorded where things happen
//! (the HTTP router, the SOAP answer, the submit path, the outbox worker,
//! the store's writer), plus gauges read when scraped (outbox depth, WAL
//! size). Labels are bounded sets — route families, statuses, fault codes,
//! channels, results — never a tenant's data or a path.
//!
//! The `prometheus` crate (TiKV's, the reference Rust client) keeps the
//! counters lock-free and writes the text exposition format 0.0.4.

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};
use std::sync::LazyLock;

struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    soap_faults: IntCounterVec,
    submits: IntCounterVec,
    inbound: IntCounterVec,
    deliveries: IntCounterVec,
    campaign_sends: IntCounterVec,
    campaign_receipts: IntCounterVec,
    subscriptions: IntCounterVec,
    rate_limited: IntCounterVec,
    connections_refused: prometheus::IntCounter,
    outbox_depth: IntGaugeVec,
    writer_queue: IntGauge,
    writer_batch: Histogram,
    wal_bytes: IntGauge,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let registry = Registry::new_custom(Some("guichet".into()), None).expect("registry");
    let http_requests = IntCounterVec::new(
        Opts::new(
            "http_requests_total",
            "HTTP requests answered, by route family and status",
        ),
        &["route", "status"],
    )
    .expect("metric");
    let http_duration = HistogramVec::new(
        HistogramOpts::new(
            "http_request_duration_seconds",
            "Time from a request's head to its answer, by route family",
        )
        .buckets(vec![
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
        ]),
        &["route"],
    )
    .expect("metric");
    let soap_faults = IntCounterVec::new(
        Opts::new("soap_faults_total", "SOAP faults answered, by fault code"),
        &["code"],
    )
    .expect("metric");
    let submits = IntCounterVec::new(
        Opts::new("submits_total", "Requests stored, by channel"),
        &["channel"],
    )
    .expect("metric");
    let inbound = IntCounterVec::new(
        Opts::new(
            "inbound_messages_total",
            "Messages received by e-mail or SMS and kept, by channel",
        ),
        &["channel"],
    )
    .expect("metric");
    let deliveries = IntCounterVec::new(
        Opts::new(
            "outbox_deliveries_total",
            "Messages the outbox tried to send, by channel and result (sent, retried, given-up)",
        ),
        &["channel", "result"],
    )
    .expect("metric");
    let campaign_sends = IntCounterVec::new(
        Opts::new(
            "campaign_sends_total",
            "Campaign messages handed to the SMS provider or the mail server, by result (sent, retry, failed)",
        ),
        &["result"],
    )
    .expect("metric");
    let campaign_receipts = IntCounterVec::new(
        Opts::new(
            "campaign_receipts_total",
            "Delivery receipts from the SMS provider, by what they said (delivered, failed, pending, unknown)",
        ),
        &["status"],
    )
    .expect("metric");
    let subscriptions = IntCounterVec::new(
        Opts::new(
            "list_subscriptions_total",
            "Changes to the lists' subscribers, by way (web, sms, counter, link) and outcome (active, pending, already, stopped)",
        ),
        &["way", "outcome"],
    )
    .expect("metric");
    let rate_limited = IntCounterVec::new(
        Opts::new(
            "rate_limited_total",
            "Requests answered 429 by the rate limits, by kind (soap, forms, login, signup, exchange, open311)",
        ),
        &["kind"],
    )
    .expect("metric");
    let connections_refused = prometheus::IntCounter::new(
        "connections_refused_total",
        "Connections closed at once because their client held --max-connections-per-client already",
    )
    .expect("metric");
    let outbox_depth = IntGaugeVec::new(
        Opts::new(
            "outbox_depth",
            "Messages waiting to be sent, every town together, by channel",
        ),
        &["channel"],
    )
    .expect("metric");
    let writer_queue = IntGauge::new(
        "store_writer_queue",
        "Writes waiting for the SQLite writer thread",
    )
    .expect("metric");
    let writer_batch = Histogram::with_opts(
        HistogramOpts::new(
            "store_writer_batch_size",
            "Writes committed per transaction (SQLite's writer, PostgreSQL's submit batches)",
        )
        .buckets(vec![
            1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0,
        ]),
    )
    .expect("metric");
    let wal_bytes =
        IntGauge::new("store_wal_bytes", "Size of SQLite's write-ahead log").expect("metric");
    for c in [
        Box::new(http_requests.clone()) as Box<dyn prometheus::core::Collector>,
        Box::new(http_duration.clone()),
        Box::new(soap_faults.clone()),
        Box::new(submits.clone()),
        Box::new(inbound.clone()),
        Box::new(deliveries.clone()),
        Box::new(campaign_sends.clone()),
        Box::new(campaign_receipts.clone()),
        Box::new(subscriptions.clone()),
        Box::new(rate_limited.clone()),
        Box::new(connections_refused.clone()),
        Box::new(outbox_depth.clone()),
        Box::new(writer_queue.clone()),
        Box::new(writer_batch.clone()),
        Box::new(wal_bytes.clone()),
    ] {
        registry.register(c).expect("metric registered once");
    }
    // Known label values start at zero, so that a rate is defined from the
    // first scrape (Prometheus' advice) rather than from the first event.
    for channel in crate::core::intake::Channel::ALL {
        submits.with_label_values(&[channel.as_str()]);
    }
    for code in ["Client", "Server", "VersionMismatch", "MustUnderstand"] {
        soap_faults.with_label_values(&[code]);
    }
    for channel in DELIVERY_CHANNELS {
        inbound.with_label_values(&[channel]);
        for result in ["sent", "retried", "given-up"] {
            deliveries.with_label_values(&[channel, result]);
        }
    }
    for result in ["sent", "retry", "failed"] {
        campaign_sends.with_label_values(&[result]);
    }
    for status in ["delivered", "failed", "pending", "unknown"] {
        campaign_receipts.with_label_values(&[status]);
    }
    for class in crate::config::RateClass::ALL {
        rate_limited.with_label_values(&[class.name()]);
    }
    Metrics {
        registry,
        http_requests,
        http_duration,
        soap_faults,
        submits,
        inbound,
        deliveries,
        campaign_sends,
        campaign_receipts,
        subscriptions,
        rate_limited,
        connections_refused,
        outbox_depth,
        writer_queue,
        writer_batch,
        wal_bytes,
    }
});

/// The channels the outbox sends on.
const DELIVERY_CHANNELS: [&str; 2] = ["email", "sms"];

/// One HTTP request answered.
pub fn http_request(route: &str, status: u16, seconds: f64) {
    let m = &*METRICS;
    m.http_requests
        .with_label_values(&[route, &status.to_string()])
        .inc();
    m.http_duration.with_label_values(&[route]).observe(seconds);
}

/// One SOAP fault answered (`Client`, `Server`, `VersionMismatch`, …).
pub fn soap_fault(code: &str) {
    METRICS.soap_faults.with_label_values(&[code]).inc();
}

/// One request stored, from `channel`.
pub fn submit_stored(channel: &str) {
    METRICS.submits.with_label_values(&[channel]).inc();
}

/// A message received by e-mail or SMS and kept (a reply or the queue's).
pub fn inbound_received(channel: &str) {
    METRICS.inbound.with_label_values(&[channel]).inc();
}

/// One delivery tried: `sent`, `retried` (failed, tried again later) or
/// `given-up`.
pub fn delivery(channel: &str, result: &str) {
    METRICS
        .deliveries
        .with_label_values(&[channel, result])
        .inc();
}

/// One campaign message tried: `sent`, `retry`, `failed`.
pub fn campaign_send(result: &str) {
    METRICS.campaign_sends.with_label_values(&[result]).inc();
}

/// One delivery receipt read: `delivered`, `failed`, `pending`, `unknown`.
pub fn campaign_receipt(status: &str) {
    METRICS.campaign_receipts.with_label_values(&[status]).inc();
}

/// A subscription changed: by `way` (web, sms, counter, link), with its
/// `outcome` (active, pending, already, stopped).
pub fn subscription(way: &str, outcome: &str) {
    METRICS
        .subscriptions
        .with_label_values(&[way, outcome])
        .inc();
}

/// A connection closed at once: its client held too many.
pub fn connection_refused() {
    METRICS.connections_refused.inc();
}

/// A request refused by a rate limit.
pub fn rate_limited(kind: &str) {
    METRICS.rate_limited.with_label_values(&[kind]).inc();
}

/// A write queued for the SQLite writer (`+1`) or taken by it (`-n`).
pub fn writer_queue(change: i64) {
    METRICS.writer_queue.add(change);
}

/// A transaction of `n` writes committed.
pub fn writer_batch(n: usize) {
    METRICS.writer_batch.observe(n as f64);
}

/// What is read when scraped rather than counted as it happens.
#[derive(Debug, Default, Clone)]
pub struct Gauges {
    /// Deliveries waiting, by channel.
    pub outbox_depth: Vec<(String, u64)>,
    /// SQLite's WAL size; `None` for PostgreSQL.
    pub wal_bytes: Option<u64>,
}

/// The exposition text, with `gauges` as read now.
pub fn render(gauges: &Gauges) -> String {
    let m = &*METRICS;
    m.outbox_depth.reset();
    for channel in DELIVERY_CHANNELS {
        m.outbox_depth.with_label_values(&[channel]).set(0);
    }
    for (channel, n) in &gauges.outbox_depth {
        m.outbox_depth
            .with_label_values(&[channel])
            .set(i64::try_from(*n).unwrap_or(i64::MAX));
    }
    m.wal_bytes.set(
        gauges
            .wal_bytes
            .map_or(0, |b| i64::try_from(b).unwrap_or(i64::MAX)),
    );
    let mut out = Vec::new();
    if let Err(e) = TextEncoder::new().encode(&m.registry.gather(), &mut out) {
        tracing::error!(error = %e, "metrics could not be written");
    }
    String::from_utf8(out).unwrap_or_default()
}

/// The content type of [`render`]'s text.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";
