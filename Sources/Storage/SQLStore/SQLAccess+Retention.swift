import Domain
import Foundation

extension SQLAccess {
    /// Deletes the records that only served until they expired or were used: sessions (and
    /// their refresh tokens) that ended before `endedBefore`, spent or expired one-time codes
    /// and email-change requests, sent emails, login-throttle rows idle since `throttleBefore`
    /// and whose lock is over, and idempotency keys past their expiry. Returns rows deleted
    /// per table. Every statement is bound; each table is one statement.
    func purgeExpired(now: Date, endedBefore: Date, throttleBefore: Date) throws -> [String: Int] {
        let cut = SQLValue.date(endedBefore)
        var deleted: [String: Int] = [:]
        let ended = "(revoked_at IS NOT NULL AND revoked_at <= ?) OR COALESCE(absolute_expires_at, expires_at) <= ?"
        deleted["refresh_tokens"] = try conn.execute(
            "DELETE FROM refresh_tokens WHERE expires_at <= ? OR session_id IN (SELECT id FROM sessions WHERE \(ended))", [cut, cut, cut])
        deleted["sessions"] = try conn.execute(
            "DELETE FROM sessions WHERE \(ended)", [cut, cut])
        deleted["one_time_tokens"] = try conn.execute(
            "DELETE FROM one_time_tokens WHERE expires_at <= ? OR (used_at IS NOT NULL AND used_at <= ?)", [cut, cut])
        deleted["email_change_requests"] = try conn.execute(
            "DELETE FROM email_change_requests WHERE expires_at <= ? OR (used_at IS NOT NULL AND used_at <= ?)", [cut, cut])
        deleted["outbox_emails"] = try conn.execute("DELETE FROM outbox_emails WHERE sent_at IS NOT NULL AND sent_at <= ?", [cut])
        deleted["login_throttle"] = try conn.execute(
            "DELETE FROM login_throttle WHERE last_failure_at <= ? AND (locked_until IS NULL OR locked_until <= ?)",
            [.date(throttleBefore), .date(now)])
        deleted["idempotency_keys"] = try conn.execute("DELETE FROM idempotency_keys WHERE expires_at <= ?", [.date(now)])
        return deleted
    }

    /// The sealed site goes; the row keeps `*` for the street, the city, region, country, the
    /// 2-character postal prefix and the location rounded to 0.1°.
    func eraseSiteDetails(endedBefore: Date) throws -> Int {
        try conn.execute(
            "UPDATE orders SET site_ciphertext = NULL WHERE site_ciphertext IS NOT NULL AND status IN (?, ?) AND updated_at <= ?",
            [.text(OrderStatus.completed.rawValue), .text(OrderStatus.cancelled.rawValue), .date(endedBefore)])
    }
}
