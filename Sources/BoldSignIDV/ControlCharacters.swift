extension Unicode.Scalar {
    /// Whether the scalar is a control character (General_Category Cc): U+0000–U+001F and U+007F–U+009F.
    ///
    /// The same answer as `properties.generalCategory == .control` — Unicode guarantees that Cc never
    /// changes — without a property-table lookup per scalar of every field of every request.
    var isControlCharacter: Bool {
        value < 0x20 || (0x7F...0x9F).contains(value)
    }
}
