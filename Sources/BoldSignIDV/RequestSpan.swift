import Tracing

/// The client span of one HTTP request (one attempt: a retry is a span of its own), with OpenTelemetry's
/// stable HTTP client attributes. Nothing that identifies a document, a signer, a file or a credential is
/// recorded — not even the URL, whose query names the document.
struct RequestSpan {
    private let span: any Span

    init(tracer: any Tracer, server: BaseURL, attempt: Int) {
        span = tracer.startSpan("POST", context: ServiceContext.current ?? .topLevel, ofKind: .client)
        span.attributes["http.request.method"] = "POST"
        span.attributes["server.address"] = server.host
        span.attributes["server.port"] = server.port
        if attempt > 1 { span.attributes["http.request.resend_count"] = attempt - 1 }
    }

    /// Records how the request ended and ends the span.
    func end(status: Int?, error: BoldSignError?) {
        if let status { span.attributes["http.response.status_code"] = status }
        if let error {
            // OpenTelemetry: the status code for an HTTP error, otherwise a low-cardinality name of the failure.
            let type = error.status.map(String.init) ?? error.kind.description.replacing(" ", with: "_")
            span.attributes["error.type"] = type
            span.setStatus(SpanStatus(code: .error))
        }
        span.end()
    }
}
