import ArgumentParser
import BoldSignIDV
import Foundation

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print a signer's identity-verification report as JSON.",
        discussion: ExitStatus.helpText)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var signerOptions: SignerOptions

    @Option(help: "The document id.")
    var documentId: String

    func run() async throws {
        try await CommandRunner.run(global: global) { client in
            let report = try await client.report(documentID: documentId, signer: signerOptions.signer, order: signerOptions.order,
                                                 onBehalfOf: signerOptions.onBehalfOf)
            let json = ReportJSON.object(report)
            if !global.json {
                // The report itself is the output; --json wraps it in the result object instead.
                CommandRunner.printJSON(json)
            }
            return (["status": "ok", "report": json], "report: \(report.imageFiles.count) image files", .success)
        }
    }
}

/// The report as the API's JSON shape (camelCase, nulls kept).
enum ReportJSON {
    static func object(_ report: IdentityVerificationReport) -> [String: Any] {
        func value(_ optional: Any?) -> Any { optional ?? NSNull() }
        func date(_ date: IdentityDocument.DayMonthYear?) -> Any {
            guard let date else { return NSNull() }
            return ["day": value(date.day), "month": value(date.month), "year": value(date.year)]
        }
        var document: Any = NSNull()
        if let doc = report.document {
            var address: Any = NSNull()
            if let a = doc.address {
                address = ["city": value(a.city), "country": value(a.country), "line1": value(a.line1), "line2": value(a.line2),
                           "postalCode": value(a.postalCode), "state": value(a.state)]
            }
            document = [
                "type": value(doc.type), "firstName": value(doc.firstName), "lastName": value(doc.lastName), "country": value(doc.country),
                "documentNumber": value(doc.documentNumber), "address": address, "dob": date(doc.dob), "issuedDate": date(doc.issuedDate),
                "expirationDate": date(doc.expirationDate), "documentFiles": value(doc.documentFiles), "selfieFile": value(doc.selfieFile),
            ]
        }
        var error: Any = NSNull()
        if let e = report.error { error = ["code": value(e.code), "message": value(e.message)] }
        let verified: Any = report.verifiedDate.map { ISO8601DateFormatter().string(from: $0) } ?? NSNull()
        return ["verificationResult": value(report.verificationResult), "verifiedDate": verified, "error": error, "document": document]
    }
}
