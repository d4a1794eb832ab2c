import ArgumentParser
import BoldSignIDV
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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
        try await CommandRunner.run(global: global.settings) { client in
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
    static func object(_ report: IdentityVerificationReport) -> JSON {
        func date(_ date: IdentityDocument.DayMonthYear?) -> JSON {
            guard let date else { return .null }
            return ["day": JSON(date.day), "month": JSON(date.month), "year": JSON(date.year)]
        }
        var document: JSON = .null
        if let doc = report.document {
            var address: JSON = .null
            if let a = doc.address {
                address = ["city": JSON(a.city), "country": JSON(a.country), "line1": JSON(a.line1), "line2": JSON(a.line2),
                           "postalCode": JSON(a.postalCode), "state": JSON(a.state)]
            }
            document = [
                "type": JSON(doc.type), "firstName": JSON(doc.firstName), "lastName": JSON(doc.lastName), "country": JSON(doc.country),
                "documentNumber": JSON(doc.documentNumber), "address": address, "dob": date(doc.dob), "issuedDate": date(doc.issuedDate),
                "expirationDate": date(doc.expirationDate), "documentFiles": JSON(doc.documentFiles), "selfieFile": JSON(doc.selfieFile),
            ]
        }
        var error: JSON = .null
        if let e = report.error { error = ["code": JSON(e.code), "message": JSON(e.message)] }
        let verified = JSON(report.verifiedDate.map { $0.formatted(.iso8601) })
        return ["verificationResult": JSON(report.verificationResult), "verifiedDate": verified, "error": error, "document": document]
    }
}
