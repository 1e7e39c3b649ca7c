import SolarSecurity
import Domain
import Foundation

extension SQLAccess {
    /// A hash no password verifies: the PHC prefix the schema requires, and a salt and hash of
    /// the wrong lengths for Argon2id's 16 and 32 bytes.
    static let erasedPasswordHash = "$argon2id$v=19$m=19456,t=2,p=1$ZXJhc2Vk$ZXJhc2Vk"

    /// Every statement is bound and runs in the caller's transaction.
    func eraseAccount(id: UUID, at: Date) throws -> Int {
        let key = String(UUIDText.string(id).filter(\.isHexDigit).prefix(32))
        let changed = try conn.execute(
            """
            UPDATE accounts SET email = ?, name = '*', phone = 'erased--', password_hash = ?, pii_ciphertext = NULL,
                   email_verified_at = NULL, locked_at = ? WHERE id = ?
            """,
            [.text("erased-\(key)"), .text(Self.erasedPasswordHash), .date(at), .uuid(id)])
        guard changed == 1 else { throw StorageError.failure("no account to erase") }
        try conn.execute("DELETE FROM refresh_tokens WHERE session_id IN (SELECT id FROM sessions WHERE account_id = ?)", [.uuid(id)])
        for table in ["sessions", "mfa_totp", "recovery_codes", "one_time_tokens", "email_change_requests", "idempotency_keys"] {
            try conn.execute("DELETE FROM \(table) WHERE account_id = ?", [.uuid(id)])
        }
        return try conn.execute(
            "UPDATE orders SET site_ciphertext = NULL, address_line1 = '*', address_line2 = NULL, notes = NULL WHERE customer_id = ?",
            [.uuid(id)])
    }
}
