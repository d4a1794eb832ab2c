/// An image format recognised from the first bytes of the body (the API does not document its `Content-Type`).
public enum ImageFormat: String, Sendable, Hashable, CaseIterable {
    /// `FF D8 FF`
    case jpeg
    /// `89 50 4E 47 0D 0A 1A 0A`
    case png
    /// `GIF87a` / `GIF89a`
    case gif
    /// `RIFF....WEBP`
    case webp
    /// Anything else, including an empty body.
    case other

    /// Recognises the format from the leading bytes.
    public init(leadingBytes bytes: some Collection<UInt8>) {
        let head = Array(bytes.prefix(12))
        if head.starts(with: [0xFF, 0xD8, 0xFF]) {
            self = .jpeg
        } else if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            self = .png
        } else if head.starts(with: Array("GIF87a".utf8)) || head.starts(with: Array("GIF89a".utf8)) {
            self = .gif
        } else if head.count >= 12, head.starts(with: Array("RIFF".utf8)), Array(head[8..<12]) == Array("WEBP".utf8) {
            self = .webp
        } else {
            self = .other
        }
    }

    /// The usual file extension (`jpg`, `png`, `gif`, `webp`; `bin` for other).
    public var fileExtension: String {
        switch self {
        case .jpeg: return "jpg"
        case .png: return "png"
        case .gif: return "gif"
        case .webp: return "webp"
        case .other: return "bin"
        }
    }
}
