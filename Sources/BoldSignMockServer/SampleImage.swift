/// The real, decodable images the default fixtures' demo signers uploaded: a synthetic ID-card specimen
/// (front and back, JPEG) and a selfie placeholder (PNG). They depict nobody; `Scripts/make-sample-images.py`
/// drew them once and they are committed under `Sources/BoldSignMockServer/SampleImages/`.
public enum SampleImage: String, Sendable, Hashable, Codable, CaseIterable {
    /// The front of the ID-card specimen, 640 × 404 JPEG.
    case idCardFront = "id-card-front"
    /// The back of the ID-card specimen, 640 × 404 JPEG.
    case idCardBack = "id-card-back"
    /// A selfie placeholder, 320 × 400 PNG.
    case selfie

    /// The image file's bytes.
    public var bytes: [UInt8] {
        switch self {
        case .idCardFront: PackageResources.id_card_front_jpg
        case .idCardBack: PackageResources.id_card_back_jpg
        case .selfie: PackageResources.selfie_png
        }
    }

    /// The image's size in bytes.
    public var size: Int64 { Int64(bytes.count) }

    /// The image's format.
    public var format: ImageBodyGenerator.Format {
        self == .selfie ? .png : .jpeg
    }

    /// SHA-256 of ``bytes``, lowercase hex, as published in the README.
    public var sha256: String {
        switch self {
        case .idCardFront: "cc38229bfda5b249f2638ff55579c2992f5115560fced7db489f24e9290279e1"
        case .idCardBack: "049eb764d122e87ce9a92d8dcdc5ca8765b6dc22ace5a8f73d44ed74fe2a4a1f"
        case .selfie: "bcb530a1f5cc6a81173966da5c5985dca7106bb1db7d74b752df305be344d8a5"
        }
    }
}
