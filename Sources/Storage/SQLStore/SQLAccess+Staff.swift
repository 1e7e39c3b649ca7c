import Domain
import Foundation
import SolarSecurity

extension SQLAccess {
    func setLocked(accountID: UUID, at: Date?) throws {
        try conn.execute("UPDATE accounts SET locked_at = ? WHERE id = ?", [.date(at), .uuid(accountID)])
    }

    static let breakGlassColumns = "id, engineer_id, reason, duration_seconds, requested_at, approved_by, approved_at, expires_at"

    func insertBreakGlass(_ g: BreakGlassGrant) throws {
        try conn.execute(
            "INSERT INTO break_glass_grants (\(Self.breakGlassColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [.uuid(g.id), .uuid(g.engineerID), .text(g.reason), .int(Int64(g.duration)), .date(g.requestedAt),
             .uuid(g.approvedBy), .date(g.approvedAt), .date(g.expiresAt)]
        )
    }

    func breakGlass(id: UUID) throws -> BreakGlassGrant? {
        try conn.query("SELECT \(Self.breakGlassColumns) FROM break_glass_grants WHERE id = ?", [.uuid(id)]).first.map(Self.grant)
    }

    func approveBreakGlass(id: UUID, approver: UUID, at: Date, expiresAt: Date) throws -> Bool {
        try conn.execute(
            "UPDATE break_glass_grants SET approved_by = ?, approved_at = ?, expires_at = ? WHERE id = ? AND approved_at IS NULL AND engineer_id <> ?",
            [.uuid(approver), .date(at), .date(expiresAt), .uuid(id), .uuid(approver)]
        ) == 1
    }

    func activeBreakGlass(engineerID: UUID, now: Date) throws -> BreakGlassGrant? {
        try conn.query(
            "SELECT \(Self.breakGlassColumns) FROM break_glass_grants WHERE engineer_id = ? AND approved_at IS NOT NULL AND expires_at > ? ORDER BY expires_at DESC LIMIT 1",
            [.uuid(engineerID), .date(now)]
        ).first.map(Self.grant)
    }

    func openBreakGlassGrants(now: Date, since: Date) throws -> [BreakGlassGrant] {
        try conn.query(
            """
            SELECT \(Self.breakGlassColumns) FROM break_glass_grants
            WHERE (approved_at IS NULL AND requested_at > ?) OR expires_at > ?
            ORDER BY requested_at DESC, id LIMIT 100
            """,
            [.date(since), .date(now)]
        ).map(Self.grant)
    }

    func staffAccounts() throws -> [Account] {
        try conn.query(
            "SELECT \(Self.accountColumns) FROM accounts WHERE role IN ('support','sales','engineer','admin') ORDER BY role, email",
            []
        ).map(account(from:))
    }

    func lastLogin(accountID: UUID) throws -> Date? {
        try conn.query("SELECT MAX(created_at) AS last_login FROM sessions WHERE account_id = ?", [.uuid(accountID)])
            .first.flatMap { try $0.optionalDate("last_login") }
    }

    static func grant(_ row: SQLRow) throws -> BreakGlassGrant {
        BreakGlassGrant(
            id: try row.uuid("id"), engineerID: try row.uuid("engineer_id"), reason: try row.string("reason"),
            duration: TimeInterval(try row.int("duration_seconds")), requestedAt: try row.date("requested_at"),
            approvedBy: try row.optionalUUID("approved_by"), approvedAt: try row.optionalDate("approved_at"),
            expiresAt: try row.optionalDate("expires_at")
        )
    }
}
