public import Foundation
public import SolarSecurity

/// How personal data is protected at rest: AES-256-GCM ciphertexts bound to their row, and
/// keyed blind indexes for exact lookups by email or phone.
///
/// Accounts keep `email` = blind index of the email, `phone` = blind index of the phone and
/// `name` = `*`; the real values live in `pii_ciphertext`. Orders keep the city, region,
/// country, a 2-character postal prefix and a location rounded to 0.1°; the street, full
/// postal code, exact location and notes live in `site_ciphertext`.
public struct FieldProtection: Sendable {
    public let cipher: FieldCipher
    public let index: BlindIndex

    public init(cipher: FieldCipher, index: BlindIndex) {
        self.cipher = cipher
        self.index = index
    }

    struct AccountPII: Codable {
        var email: String
        var name: String
        var phone: String
    }

    struct Site: Codable {
        var line1: String
        var line2: String?
        var postalCode: String
        var latitude: Double
        var longitude: Double
        var notes: String?
    }

    static func accountContext(_ id: String) -> String { "accounts.pii:" + id }
    static func siteContext(_ id: String) -> String { "orders.site:" + id }

    /// Encrypts a record, written as JSON by hand (`StoredJSONWritable`), bound to `context`.
    func seal<T: StoredJSONWritable>(_ value: T, context: String) throws -> String {
        try cipher.encrypt(StoredJSON.text(value), context: context)
    }

    /// Whether a ciphertext was made with the active key.
    public func isCurrent(_ ciphertext: String) -> Bool { ciphertext.hasPrefix("v1:\(cipher.active.id):") }
}
