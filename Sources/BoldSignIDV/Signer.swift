/// Which signer of a document: the one BoldSign reached by email, or the one it reached by SMS.
public enum Signer: Sendable, Hashable {
    /// A signer with email delivery (`emailId`).
    case email(String)
    /// A signer with SMS delivery: `countryCode` such as `+1`, and the phone number without it.
    case phone(countryCode: String, number: String)
}

extension Signer: CustomStringConvertible {
    /// `email(…)` or `phone(…)` without the address or number: signers are personal data.
    public var description: String {
        switch self {
        case .email: return "email(<signer>)"
        case .phone: return "phone(<signer>)"
        }
    }
}
