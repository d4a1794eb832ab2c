import Logging
import SystemPackage

/// One image of a whole-signer download.
public struct SavedImage: Sendable, Hashable {
    /// Which image of the report this is.
    public var file: ImageFile
    /// Where it is.
    public var path: FilePath
    /// Its size in bytes.
    public var bytes: Int64
    /// Its format (from the first bytes, or the file name's extension when it was skipped).
    public var format: ImageFormat
    /// True when the file was already there and was not downloaded again.
    public var skipped: Bool
}

extension BoldSignClient {
    /// Downloads every image of one signer into `directory`: the report first, then each document photo
    /// and the selfie.
    ///
    /// File names are stable: `document-1.<ext>`, `document-2.<ext>` … in the report's order, then
    /// `selfie.<ext>`, where `<ext>` comes from the image's first bytes (`jpg`, `png`, `gif`, `webp`, or `bin`).
    /// Each file is written atomically (see ``downloadImage(_:to:replaceExisting:timeout:logger:)``), so a file that
    /// exists is complete: a second run skips it without a request, which makes an interrupted run resumable.
    /// Temporary files a killed run left in `directory` are removed first
    /// (see ``removeAbandonedTemporaryFiles(in:)``).
    ///
    /// - Parameters:
    ///   - documentID: The document's id (a UUID).
    ///   - signer: The signer, by email or by phone.
    ///   - order: The signer's order on the document.
    ///   - onBehalfOf: The sender identity to act on behalf of, if any.
    ///   - directory: An existing directory for the images.
    ///   - timeout: The deadline of each request (the report, then each image; see ``Configuration/Timeouts/call``).
    ///   - logger: Overrides the client's logger for these requests.
    /// - Returns: One entry per image, in the report's order.
    /// - Throws: ``BoldSignError``; images saved before the failure stay saved.
    public func downloadAllImages(
        documentID: String, signer: Signer, order: Int = 1, onBehalfOf: String? = nil, to directory: FilePath,
        timeout: Duration? = nil, logger: Logger? = nil
    ) async throws -> [SavedImage] {
        let report = try await report(documentID: documentID, signer: signer, order: order, onBehalfOf: onBehalfOf, timeout: timeout, logger: logger)
        try Self.removeAbandonedTemporaryFiles(in: directory)
        var saved: [SavedImage] = []
        for file in report.imageFiles {
            let base = file.role.description
            if let existing = Self.existingImage(named: base, in: directory) {
                saved.append(SavedImage(file: file, path: existing.path, bytes: existing.size, format: existing.format, skipped: true))
                continue
            }
            let request = ImageRequest(documentID: documentID, signer: signer, order: order, fileID: file.fileID, onBehalfOf: onBehalfOf)
            try request.validate()
            let download = try await AtomicFileDelivery.deliver(in: directory, temporaryName: base, replaceExisting: false, fileWork: fileWork, durability: configuration.durability) { fd in
                try await fetchImage(request, into: .newFile(fd), timeout: timeout, logger: logger)
            } destinationName: { download in
                Self.imageFileName(base, download.format)
            }
            saved.append(SavedImage(file: file, path: directory.appending(Self.imageFileName(base, download.format)),
                                    bytes: download.bytesWritten, format: download.format, skipped: false))
        }
        return saved
    }

    /// `<base>.<extension>`: the name an image of `format` is saved under.
    static func imageFileName(_ base: String, _ format: ImageFormat) -> String {
        "\(base).\(format.fileExtension)"
    }

    /// A complete earlier download of `base` (any known extension) in `directory`.
    static func existingImage(named base: String, in directory: FilePath) -> (path: FilePath, size: Int64, format: ImageFormat)? {
        for format in ImageFormat.allCases {
            let path = directory.appending(imageFileName(base, format))
            if let size = FileSize.of(path) { return (path, size, format) }
        }
        return nil
    }
}
