import Domain
import Foundation

extension SQLAccess {
    static let roleGrantColumns = "id, account_id, from_role, to_role, creates_account, requested_by, requested_at, approved_by, approved_at"

    func insertRoleGrant(_ g: RoleGrant) throws {
        try conn.execute(
            "INSERT INTO role_grants (\(Self.roleGrantColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [.uuid(g.id), .uuid(g.accountID), .text(g.fromRole.rawValue), .text(g.toRole.rawValue), .bool(g.createsAccount),
             .uuid(g.requestedBy), .date(g.requestedAt), .uuid(g.approvedBy), .date(g.approvedAt)]
        )
    }

    func roleGrant(id: UUID) throws -> RoleGrant? {
        try conn.query("SELECT \(Self.roleGrantColumns) FROM role_grants WHERE id = ?", [.uuid(id)]).first.map(Self.roleGrant)
    }

    func openRoleGrants(since: Date) throws -> [RoleGrant] {
        try conn.query(
            "SELECT \(Self.roleGrantColumns) FROM role_grants WHERE approved_at IS NULL AND requested_at >= ? ORDER BY requested_at DESC, id LIMIT 100",
            [.date(since)]
        ).map(Self.roleGrant)
    }

    func openRoleGrant(accountID: UUID, since: Date) throws -> RoleGrant? {
        try conn.query(
            "SELECT \(Self.roleGrantColumns) FROM role_grants WHERE account_id = ? AND approved_at IS NULL AND requested_at >= ? ORDER BY requested_at DESC LIMIT 1",
            [.uuid(accountID), .date(since)]
        ).first.map(Self.roleGrant)
    }

    func approveRoleGrant(id: UUID, approver: UUID, at: Date, requestedSince: Date) throws -> Bool {
        try conn.execute(
            """
            UPDATE role_grants SET approved_by = ?, approved_at = ?
            WHERE id = ? AND approved_at IS NULL AND requested_at >= ? AND requested_by <> ? AND account_id <> ?
            """,
            [.uuid(approver), .date(at), .uuid(id), .date(requestedSince), .uuid(approver), .uuid(approver)]
        ) == 1
    }

    func creationPending(accountID: UUID) throws -> Bool {
        let row = try conn.query(
            "SELECT COUNT(*) AS asked, COUNT(approved_at) AS approved FROM role_grants WHERE account_id = ? AND creates_account = 1",
            [.uuid(accountID)]
        ).first
        guard let row else { return false }
        return try row.int("asked") > 0 && row.int("approved") == 0
    }

    static func roleGrant(_ row: SQLRow) throws -> RoleGrant {
        guard let from = Role(rawValue: try row.string("from_role")) else { throw StorageError.corruptRow("from_role") }
        guard let to = Role(rawValue: try row.string("to_role")) else { throw StorageError.corruptRow("to_role") }
        return RoleGrant(
            id: try row.uuid("id"), accountID: try row.uuid("account_id"), fromRole: from, toRole: to,
            createsAccount: try row.bool("creates_account"), requestedBy: try row.uuid("requested_by"),
            requestedAt: try row.date("requested_at"), approvedBy: try row.optionalUUID("approved_by"),
            approvedAt: try row.optionalDate("approved_at")
        )
    }
}
