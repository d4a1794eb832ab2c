import Metrics

/// The daemon's own metrics (the library adds its `boldsign_idv_*` ones); names, not personal data.
struct DaemonMetrics: Sendable {
    /// A webhook call's fate — `accepted` (queued), `duplicate`, `ignored` (another event or the ping),
    /// `refused` — and the status it was answered with (every refusal by its status: 400, 401, 413).
    func webhook(_ result: String, status: Int) {
        Counter(label: "idv_daemon_webhooks_total", dimensions: [("result", result), ("status", "\(status)")]).increment()
    }

    /// Images written into the archive (files already there are not counted).
    func downloaded(_ count: Int) {
        Counter(label: "idv_daemon_images_downloaded_total").increment(by: count)
    }

    /// A job's attempt that failed: `retry` or `permanent`.
    func failure(_ kind: String) {
        Counter(label: "idv_daemon_job_failures_total", dimensions: [("kind", kind)]).increment()
    }

    /// Jobs waiting or being worked on.
    func queueDepth(_ depth: Int) {
        Gauge(label: "idv_daemon_queue_depth").record(depth)
    }
}
