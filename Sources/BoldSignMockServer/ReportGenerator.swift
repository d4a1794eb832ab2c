/// Builds a full `IdReport` for a fixture signer that has no explicit report.
enum ReportGenerator {
    static func report(for signer: MockFixtures.Signer) -> JSONValue {
        let documentFiles = signer.files.filter { $0.role == .document }.map { JSONValue.string($0.id) }
        let selfie = signer.files.first { $0.role == .selfie }.map { JSONValue.string($0.id) } ?? .null
        let name = (signer.emailId ?? "signer").split(separator: "@").first.map(String.init) ?? "signer"
        let nameParts = name.split(separator: ".").map { $0.prefix(1).uppercased() + $0.dropFirst() }
        func date(_ day: Int, _ month: Int, _ year: Int) -> JSONValue {
            .object([(key: "day", value: .number(Double(day))), (key: "month", value: .number(Double(month))),
                     (key: "year", value: .number(Double(year)))])
        }
        return .object([
            (key: "verificationResult", value: .string(signer.verificationFailed ? "Failed" : "Verified")),
            (key: "verifiedDate", value: .string("2026-01-15T10:30:00Z")),
            (key: "error", value: signer.verificationFailed
                ? .object([(key: "code", value: .string("selfie_face_mismatch")),
                           (key: "message", value: .string("The selfie does not match the face on the document."))])
                : .null),
            (key: "document", value: .object([
                (key: "type", value: .string("Passport")),
                (key: "firstName", value: .string(nameParts.first ?? "Signer")),
                (key: "lastName", value: .string(nameParts.dropFirst().first ?? "Example")),
                (key: "country", value: .string("US")),
                (key: "documentNumber", value: .string("X\(1_000_000 + signer.order * 7919)")),
                (key: "address", value: .object([
                    (key: "city", value: .string("Springfield")), (key: "country", value: .string("US")),
                    (key: "line1", value: .string("742 Evergreen Terrace")), (key: "line2", value: .null),
                    (key: "postalCode", value: .string("49007")), (key: "state", value: .string("IL")),
                ])),
                (key: "dob", value: date(12, 5, 1988)),
                (key: "issuedDate", value: date(3, 2, 2020)),
                (key: "expirationDate", value: date(2, 2, 2030)),
                (key: "documentFiles", value: .array(documentFiles)),
                (key: "selfieFile", value: selfie),
            ])),
        ])
    }
}
