import Foundation

/// The permission bits `FileManager` reports for the file at `path`, or nil when it reports none.
public func permissions(ofFile path: String) throws -> Int? {
    (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
}
