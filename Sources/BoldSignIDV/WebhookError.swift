/// Why a webhook call was refused. Answer the sender with ``httpStatus``.
///
/// No description contains a secret, a signature or the body.
public struct WebhookError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong, as a closed set that may grow in minor versions.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private let name: String

        /// No `X-BoldSign-Signature` header, or one that is not `t=<unix seconds>, s0=<hex>[, s1=<hex>]`.
        public static let malformedSignature = Kind(name: "malformed signature header")
        /// The signature's timestamp is further from now than the verifier's tolerance: a replay, or a bad clock.
        public static let stale = Kind(name: "stale timestamp")
        /// No signature in the header matches the body under the secret (or the previous secret).
        public static let signatureMismatch = Kind(name: "signature mismatch")
        /// The body is not a BoldSign webhook (not JSON, or no `event` with an id and a type).
        public static let malformedBody = Kind(name: "malformed body")

        /// The kind's name.
        public var description: String { name }
    }

    /// What was wrong.
    public let kind: Kind
    /// What to tell a person: which part, without secret or payload.
    public let detail: String

    /// Creates an error.
    public init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }

    /// The status to answer the call with: 401 for a signature that does not prove the sender
    /// (mismatch, stale), 400 for a call that is not a well-formed webhook at all.
    public var httpStatus: Int {
        kind == .signatureMismatch || kind == .stale ? 401 : 400
    }

    /// `webhook refused: <kind>: <detail>`.
    public var description: String { "webhook refused: \(kind): \(detail)" }
}
