@testable import App
import Domain
import Foundation
import SolarSecurity
import Testing

/// The order responses are written by hand (`JSONWriter`); they must say exactly what
/// Hummingbird's `JSONEncoder` (ISO 8601 dates) said for the same values: the same document,
/// and the same length (so the same escapes and number forms).
@Suite("Hand-written order JSON")
struct FastJSONTests {
    static func order(_ text: String, optionals: Bool, at seconds: Double) -> Order {
        Order(id: UUID(), customerID: UUID(), status: .scheduled,
              address: Address(line1: text, line2: optionals ? "2º " + text : nil, city: "Madrid/" + text, region: "Madrid",
                               postalCode: "28014", country: "ES"),
              location: GeoPoint(latitude: optionals ? 40.416_775 : 40, longitude: -3.703_790_123_4),
              spec: InstallationSpec(systemSizeDeciKw: optionals ? 64 : 60, panelCount: 16, roofType: .asphaltShingle),
              preferredDate: optionals ? CalendarDate("2027-02-28") : nil, notes: optionals ? text : nil,
              quote: Quote(currency: "EUR", lines: [QuoteLine(code: "panels", description: text, amountCents: 640_000),
                                                    QuoteLine(code: "discount", description: "", amountCents: -1_250)]),
              installerID: optionals ? UUID() : nil, scheduledDate: optionals ? CalendarDate("2027-03-01") : nil,
              createdAt: Date(timeIntervalSince1970: seconds), updatedAt: Date(timeIntervalSince1970: seconds + 86_399.999))
    }

    static func reference<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(value)
    }

    /// The same JSON document: JSONEncoder orders members by hash, so the bytes differ in
    /// member order only; values, escapes, numbers and dates must agree.
    static func same(_ mine: [UInt8], _ theirs: Data) throws -> Bool {
        let a = try JSONSerialization.jsonObject(with: Data(mine), options: [.fragmentsAllowed]) as? NSObject
        let b = try JSONSerialization.jsonObject(with: theirs, options: [.fragmentsAllowed]) as? NSObject
        return a != nil && a == b && mine.count == theirs.count
    }

    @Test("orders and pages: the same bytes as JSONEncoder", arguments: [
        "Calle de Alcalá 42", "quote \" back \\ slash / tab\t nl\n \u{0}\u{1F}\u{7F}", "家 😀 \u{2028}", "",
    ])
    func sameBytes(_ text: String) throws {
        for optionals in [true, false] {
            for seconds in [0, 1_800_000_000.123, 951_782_400.999, 4_102_444_799.5, 1_709_164_800] {
                let dto = OrderDTO(Self.order(text, optionals: optionals, at: seconds))
                var json = JSONWriter()
                dto.write(to: &json)
                #expect(try Self.same(json.bytes, Self.reference(dto)))
            }
        }
        for next in [nil, 40] as [Int?] {
            let page = OrderPageDTO(items: [OrderDTO(Self.order(text, optionals: true, at: 1)), OrderDTO(Self.order(text, optionals: false, at: 2))], nextOffset: next)
            var json = JSONWriter()
            page.write(to: &json)
            #expect(try Self.same(json.bytes, Self.reference(page)))
        }
        for amount in [0, 7, -7, 9, 10, -10, 99_999, Int64.max, Int64.min, Int64.min + 1] {
            var json = JSONWriter()
            json.int(amount)
            #expect(json.bytes == Array(String(amount).utf8))
        }
        let id = UUID()
        var json = JSONWriter()
        json.uuid(id)
        #expect(json.bytes == Array("\"\(id.uuidString)\"".utf8))
        var empty = JSONWriter()
        OrderPageDTO(items: [], nextOffset: nil).write(to: &empty)
        #expect(try Self.same(empty.bytes, Self.reference(OrderPageDTO(items: [], nextOffset: nil))))
    }
}
