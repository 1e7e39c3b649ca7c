extension AuditChain {
    /// A deterministic serialisation of an entry's fields: a JSON array of strings and nulls.
    ///
    /// The bytes are those `JSONSerialization` wrote when the chain began (`"` and `\` escaped,
    /// `\b \f \n \r \t`, other controls as `\u00xx`, `/` and everything else as is), so entries
    /// written then still verify; `AuditCanonicalTests.canonicalMatchesJSONSerialization` holds that.
    /// Written by hand because the chain check runs it for every entry.
    public static func canonical(_ fields: [String?]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(fields.reduce(2) { $0 + ($1?.utf8.count ?? 4) + 3 })
        appendCanonical(fields, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func appendCanonical(_ fields: [String?], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (index, field) in fields.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            guard let field else {
                out.append(contentsOf: "null".utf8)
                continue
            }
            out.append(UInt8(ascii: "\""))
            JSONEscape.append(field, to: &out, escapingSlash: false)
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "]"))
    }

    /// `entryHash(previous:canonical: canonical(fields))`, with the text written once into one
    /// buffer: the chain check computes it for every entry.
    public func entryHash(previous: String, fields: [String?]) -> String {
        Self.entryHash(previous: previous, extraCapacity: fields.reduce(2) { $0 + ($1?.utf8.count ?? 4) + 3 }) {
            Self.appendCanonical(fields, to: &$0)
        }
    }
}
