import Domain
import Foundation

extension SQLAccess {
    func insertSession(_ s: SessionRecord) throws {
        try conn.execute(
            """
            INSERT INTO sessions (id, token_hash, account_id, kind, created_at, expires_at, last_seen_at, revoked_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.uuid(s.id), .text(s.tokenHash), .uuid(s.accountID), .text(s.kind.rawValue),
             .date(s.createdAt), .date(s.expiresAt), .date(s.lastSeenAt), .date(s.revokedAt)]
        )
    }

    func activeSession(tokenHash: String, now: Date) throws -> (SessionRecord, Account)? {
        let rows = try conn.query(
            """
            SELECT s.id AS session_id, s.token_hash, s.kind, s.created_at AS session_created_at, s.expires_at,
                   s.last_seen_at, s.revoked_at,
                   a.id, a.email, a.name, a.phone, a.role, a.password_hash, a.created_at
            FROM sessions s JOIN accounts a ON a.id = s.account_id
            WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ?
            """,
            [.text(tokenHash), .date(now)]
        )
        guard let row = rows.first else { return nil }
        guard let kind = SessionKind(rawValue: try row.string("kind")) else { throw StorageError.corruptRow("kind") }
        let account = try Self.account(row)
        let session = SessionRecord(
            id: try row.uuid("session_id"), tokenHash: try row.string("token_hash"), accountID: account.id, kind: kind,
            createdAt: try row.date("session_created_at"), expiresAt: try row.date("expires_at"),
            lastSeenAt: try row.date("last_seen_at"), revokedAt: try row.optionalDate("revoked_at")
        )
        return (session, account)
    }

    func revokeSession(id: UUID, at: Date) throws -> Bool {
        try conn.execute("UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [.date(at), .uuid(id)]) == 1
    }
}
