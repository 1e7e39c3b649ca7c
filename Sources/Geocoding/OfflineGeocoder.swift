import Foundation

/// A geocoder over a small place table shipped with the server (no network).
///
/// The table is the tab-separated file written by `scripts/build-geodata.py`:
///
///     kind <TAB> country <TAB> name <TAB> latitude <TAB> longitude [<TAB> label]
///
/// - `city`: a place under its dataset name.
/// - `alias`: another spelling of a city ("Lisboa" for "Lisbon"); `label` is the
///   city's dataset name, which is what `locate` returns.
/// - `postal`: a postal-code prefix (Spain: the two-digit province number) at the
///   area's reference town; `label`, if present, names that town.
///
/// Lines that are empty or start with `#` are skipped. For each (country, name),
/// compared case- and diacritic-insensitively, the first row wins: the file lists
/// every country's cities most populous first, then the aliases.
///
/// All the dictionaries are built once in `init`; `locate` does O(1) lookups.
public struct OfflineGeocoder: Geocoder {
    /// A row of the place table that cannot be read.
    public struct DataError: Error, Sendable, CustomStringConvertible {
        /// 1-based line number in the table (0 when the table itself could not be loaded).
        public var line: Int
        public var reason: String

        public init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }

        public var description: String {
            line > 0 ? "places table, line \(line): \(reason)" : "places table: \(reason)"
        }
    }

    /// "ES\tmadrid" (country, tab, folded name) → place
    private let cities: [String: GeocodedPlace]
    /// "ES\t28" (country, tab, postal prefix) → place
    private let postalAreas: [String: GeocodedPlace]
    /// Length of the postal prefix per country (all of a country's prefixes have one length).
    private let postalPrefixLength: [String: Int]
    /// Folded form of every non-ASCII scalar met in the table (see `fold`), so that
    /// queries rarely need Foundation's (slow) Unicode decomposition.
    private let foldedScalars: [Unicode.Scalar: String]

    /// Number of `city` rows read (aliases not counted).
    public let cityCount: Int
    /// Number of postal prefixes.
    public var postalAreaCount: Int { postalAreas.count }

    /// Parses a place table. Throws `DataError` on the first malformed row.
    public init(tsv: String) throws {
        var text = tsv
        var parser = TableParser()
        try text.withUTF8 { bytes in try parser.parse(bytes) }
        cities = parser.cities
        postalAreas = parser.postalAreas
        postalPrefixLength = parser.postalPrefixLength
        foldedScalars = parser.foldedScalars
        cityCount = parser.cityRows
    }

    public func locate(_ query: GeocodeQuery) async throws -> GeocodedPlace? {
        place(for: query)
    }

    /// The synchronous lookup behind `locate`.
    public func place(for query: GeocodeQuery) -> GeocodedPlace? {
        let country = String(query.country.filter { !$0.isWhitespace }).uppercased()
        guard country.utf8.count == 2 else { return nil }

        let city = Self.fold(query.city, in: country) { scalar in foldedScalars[scalar] ?? Self.fold(scalar) }
        if let city, let place = cities[city] {
            return place
        }

        // Postal codes: only full codes of the country's usual shape (Spain: 5 digits),
        // resolved by their prefix (Spain: the first two digits, the province).
        let postal = String(query.postalCode.filter { !$0.isWhitespace })
        guard let prefixLength = postalPrefixLength[country],
              postal.utf8.count == 5,
              postal.utf8.allSatisfy(isDigit)
        else { return nil }
        return postalAreas[country + "\t" + postal.prefix(prefixLength)]
    }

    /// The comparison key of a city name: no diacritics, lower case ("ß" as "ss"),
    /// hyphens as spaces, whitespace trimmed and collapsed
    /// ("  Sant-Adrià  de Besòs" → "sant adria de besos").
    /// The dictionary key is the country, a tab and that folded name; `nil` when the
    /// name folds to nothing. `foldScalar` folds one non-ASCII scalar (a cache in front of
    /// `fold(_:)`, as Foundation's decomposition is slow on Linux).
    fileprivate static func fold(_ name: String, in country: String, foldScalar: (Unicode.Scalar) -> String) -> String? {
        var result: [UInt8] = []
        result.reserveCapacity(country.utf8.count + 1 + name.utf8.count)
        result.append(contentsOf: country.utf8)
        result.append(UInt8(ascii: "\t"))
        let prefixLength = result.count
        var pendingSpace = false
        for scalar in name.unicodeScalars {
            if scalar.isASCII {
                let byte = UInt8(truncatingIfNeeded: scalar.value)
                if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-") || (byte >= 9 && byte <= 13) {
                    pendingSpace = result.count > prefixLength
                    continue
                }
                if pendingSpace { result.append(UInt8(ascii: " ")); pendingSpace = false }
                result.append(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte)
            } else if scalar.properties.isWhitespace || scalar == "\u{2010}" || scalar == "\u{2011}" {
                pendingSpace = result.count > prefixLength
            } else {
                let folded = foldScalar(scalar)
                if folded.isEmpty { continue }  // a combining mark
                if pendingSpace { result.append(UInt8(ascii: " ")); pendingSpace = false }
                result.append(contentsOf: folded.utf8)
            }
        }
        return result.count > prefixLength ? String(decoding: result, as: UTF8.self) : nil
    }

    /// One non-ASCII scalar, folded: decomposed, marks dropped, lower-cased.
    fileprivate static func fold(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "ß", "ẞ": return "ss"
        case "\u{2019}", "\u{2018}": return "'"
        default: break
        }
        var result = ""
        for part in String(Character(scalar)).decomposedStringWithCanonicalMapping.unicodeScalars {
            let category = part.properties.generalCategory
            if category == .nonspacingMark || category == .enclosingMark { continue }
            result += part.properties.lowercaseMapping
        }
        return result
    }
}

private func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

/// Reads the table straight from its UTF-8 bytes, through a raw pointer and `Int`
/// offsets: `init(tsv:)` runs at server start-up, also in debug builds, where
/// generic collection code and Foundation's string functions are slow.
private struct TableParser {
    var cities: [String: GeocodedPlace] = [:]
    var postalAreas: [String: GeocodedPlace] = [:]
    var postalPrefixLength: [String: Int] = [:]
    var foldedScalars: [Unicode.Scalar: String] = [:]
    var cityRows = 0

    /// A field: bytes `start..<end` of the table.
    struct Field {
        var start: Int
        var end: Int
    }

    mutating func parse(_ buffer: UnsafeBufferPointer<UInt8>) throws {
        guard let bytes = buffer.baseAddress else { return }
        let count = buffer.count
        cities.reserveCapacity(count / 32)  // rows are about 35 bytes long
        let newline = UInt8(ascii: "\n"), tab = UInt8(ascii: "\t"), space = UInt8(ascii: " ")
        var fields: [Field] = []
        fields.reserveCapacity(8)
        var lineNumber = 0
        var position = 0
        while position < count {
            lineNumber += 1
            var lineEnd = position
            while lineEnd < count && bytes[lineEnd] != newline { lineEnd += 1 }
            let lineStart = position
            position = lineEnd + 1
            if lineEnd > lineStart && bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }

            if lineStart < lineEnd && bytes[lineStart] == UInt8(ascii: "#") { continue }
            var blank = true
            var i = lineStart
            while i < lineEnd {
                if bytes[i] != space && bytes[i] != tab { blank = false; break }
                i += 1
            }
            if blank { continue }

            fields.removeAll(keepingCapacity: true)
            var fieldStart = lineStart
            i = lineStart
            while i < lineEnd {
                if bytes[i] == tab {
                    fields.append(Field(start: fieldStart, end: i))
                    fieldStart = i + 1
                }
                i += 1
            }
            fields.append(Field(start: fieldStart, end: lineEnd))
            try parseRow(fields, bytes, lineNumber: lineNumber)
        }
    }

    private mutating func parseRow(_ fields: [Field], _ bytes: UnsafePointer<UInt8>, lineNumber: Int) throws {
        func fail(_ reason: String) -> OfflineGeocoder.DataError {
            OfflineGeocoder.DataError(line: lineNumber, reason: reason)
        }
        func string(_ field: Field, trimming: Bool = false) -> String {
            var start = field.start, end = field.end
            if trimming {
                while start < end && bytes[start] == UInt8(ascii: " ") { start += 1 }
                while end > start && bytes[end - 1] == UInt8(ascii: " ") { end -= 1 }
            }
            return String(decoding: UnsafeBufferPointer(start: bytes + start, count: end - start), as: UTF8.self)
        }
        guard fields.count == 5 || fields.count == 6 else {
            throw fail("expected 5 or 6 tab-separated fields, found \(fields.count)")
        }
        let kind = string(fields[0])
        let country = string(fields[1])
        guard country.utf8.count == 2, country.utf8.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) else {
            throw fail("country must be an upper-case ISO 3166-1 alpha-2 code, found \"\(country)\"")
        }
        let name = string(fields[2], trimming: true)
        guard !name.isEmpty else { throw fail("empty name") }
        let latitudeText = string(fields[3]), longitudeText = string(fields[4])
        guard let latitude = Double(latitudeText), (-90.0...90.0).contains(latitude) else {
            throw fail("bad latitude \"\(latitudeText)\"")
        }
        guard let longitude = Double(longitudeText), (-180.0...180.0).contains(longitude) else {
            throw fail("bad longitude \"\(longitudeText)\"")
        }
        let label: String? = fields.count == 6 ? string(fields[5], trimming: true) : nil
        if label?.isEmpty == true { throw fail("empty label") }

        switch kind {
        case "city":
            cityRows += 1
            let place = GeocodedPlace(latitude: latitude, longitude: longitude, name: label ?? name, precision: .city)
            insertCity(place, name: name, country: country)
        case "alias":
            guard let label else { throw fail("an alias needs the city's name in a sixth field") }
            let place = GeocodedPlace(latitude: latitude, longitude: longitude, name: label, precision: .city)
            insertCity(place, name: name, country: country)
        case "postal":
            guard name.utf8.allSatisfy(isDigit) else {
                throw fail("a postal prefix must be digits, found \"\(name)\"")
            }
            if let length = postalPrefixLength[country], length != name.utf8.count {
                throw fail("postal prefixes of \(country) must all have \(length) digits, found \"\(name)\"")
            }
            postalPrefixLength[country] = name.utf8.count
            let place = GeocodedPlace(latitude: latitude, longitude: longitude, name: label ?? name, precision: .postalArea)
            let key = country + "\t" + name
            if postalAreas[key] == nil {
                postalAreas[key] = place
            }
        default:
            throw fail("unknown kind \"\(kind)\" (expected city, alias or postal)")
        }
    }

    /// First row wins: rows are ordered most populous first.
    private mutating func insertCity(_ place: GeocodedPlace, name: String, country: String) {
        let key = OfflineGeocoder.fold(name, in: country) { scalar in
            if let folded = foldedScalars[scalar] { return folded }
            let folded = OfflineGeocoder.fold(scalar)
            foldedScalars[scalar] = folded
            return folded
        }
        guard let key else { return }
        if cities[key] == nil {
            cities[key] = place
        }
    }
}
