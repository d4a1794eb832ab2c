import BoldSignIDV
import Foundation
import GRDB

/// One signer whose images are to be archived: what a verified webhook left in the queue.
struct ArchiveJob: Sendable {
    var eventID: String
    var verification: IdentityVerificationEvent
    var attempts: Int
}

/// The durable work queue, in SQLite: a webhook is acknowledged once its job is committed here, so a
/// crash or a restart loses nothing, and an event delivered twice is recognised by its id.
final class JobQueue: Sendable {
    enum State: String {
        case pending, working, done, failed
    }

    private let database: DatabaseQueue

    init(path: String) throws {
        database = try DatabaseQueue(path: path)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "job") { table in
                table.primaryKey("eventId", .text)
                table.column("eventType", .text).notNull()
                table.column("documentId", .text).notNull()
                table.column("email", .text)
                table.column("countryCode", .text)
                table.column("phoneNumber", .text)
                table.column("signerOrder", .integer).notNull()
                table.column("state", .text).notNull().indexed()
                table.column("attempts", .integer).notNull().defaults(to: 0)
                table.column("images", .integer)
                table.column("lastError", .text)
                table.column("receivedAt", .double).notNull()
                table.column("notBefore", .double).notNull().defaults(to: 0)
            }
        }
        try migrator.migrate(database)
        // Jobs a killed process was working on are waiting again; their finished files are skipped.
        try database.write { try $0.execute(sql: "UPDATE job SET state = 'pending' WHERE state = 'working'") }
    }

    /// Records the job of a verified identity-verification event; false when the event was recorded before.
    func enqueue(eventID: String, eventType: WebhookEventType, verification: IdentityVerificationEvent) async throws -> Bool {
        let (email, countryCode, phoneNumber): (String?, String?, String?) = switch verification.signer {
        case .email(let address): (address, nil, nil)
        case .phone(let code, let number): (nil, code, number)
        }
        return try await database.write { db in
            try db.execute(sql: """
                INSERT OR IGNORE INTO job (eventId, eventType, documentId, email, countryCode, phoneNumber, signerOrder, state, receivedAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)
                """, arguments: [eventID, eventType.rawValue, verification.documentID, email, countryCode, phoneNumber,
                                 verification.order, Date().timeIntervalSince1970])
            return db.changesCount > 0
        }
    }

    /// Takes the oldest job that is due and whose signer no other lane is archiving, marking it as worked on.
    ///
    /// One signer at a time: two lanes on the same signer would download every image twice, and one
    /// would then find the other's files in its way. A later job for a signer just archived finds the
    /// files there and skips them.
    func claim() async throws -> ArchiveJob? {
        try await database.write { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT * FROM job AS candidate WHERE state = 'pending' AND notBefore <= ?
                AND NOT EXISTS (SELECT 1 FROM job AS busy WHERE busy.state = 'working'
                                AND busy.documentId = candidate.documentId AND busy.signerOrder = candidate.signerOrder)
                ORDER BY receivedAt LIMIT 1
                """, arguments: [Date().timeIntervalSince1970]) else { return nil }
            let eventID: String = row["eventId"]
            try db.execute(sql: "UPDATE job SET state = 'working', attempts = attempts + 1 WHERE eventId = ?", arguments: [eventID])
            let signer: Signer
            if let email: String = row["email"] {
                signer = .email(email)
            } else {
                signer = .phone(countryCode: row["countryCode"] ?? "", number: row["phoneNumber"] ?? "")
            }
            return ArchiveJob(eventID: eventID, verification: IdentityVerificationEvent(
                documentID: row["documentId"], signer: signer, order: row["signerOrder"]), attempts: row["attempts"] + 1)
        }
    }

    /// The job is done: `images` files are in the archive.
    func finish(_ job: ArchiveJob, images: Int) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE job SET state = 'done', images = ?, lastError = NULL WHERE eventId = ?", arguments: [images, job.eventID])
        }
    }

    /// The job failed: for good, or to be tried again after `retryAfter`.
    func fail(_ job: ArchiveJob, reason: String, retryAfter: Duration?) async throws {
        try await database.write { db in
            if let retryAfter {
                try db.execute(sql: "UPDATE job SET state = 'pending', lastError = ?, notBefore = ? WHERE eventId = ?",
                               arguments: [reason, Date().timeIntervalSince1970 + Double(retryAfter.components.seconds), job.eventID])
            } else {
                try db.execute(sql: "UPDATE job SET state = 'failed', lastError = ? WHERE eventId = ?", arguments: [reason, job.eventID])
            }
        }
    }

    /// The job was interrupted by a shutdown: waiting again, its attempt not counted.
    func release(_ job: ArchiveJob) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE job SET state = 'pending', attempts = attempts - 1 WHERE eventId = ?", arguments: [job.eventID])
        }
    }

    /// Jobs not yet done or failed.
    func depth() async throws -> Int {
        try await database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM job WHERE state IN ('pending', 'working')") ?? 0
        }
    }
}
