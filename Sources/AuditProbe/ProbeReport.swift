public import Foundation

/// The verdict of one check.
public enum ProbeOutcome: String, Codable, Sendable {
    case pass
    case fail
    case notApplicable = "n/a"
}

/// One check: its OWASP Top 10 (2021) category, what it checked, the outcome and the evidence.
public struct ProbeCheck: Codable, Sendable {
    public var category: String
    public var name: String
    public var outcome: ProbeOutcome
    public var evidence: String
}

/// Everything the probe found, renderable as a table, JSON or a standalone HTML page.
public struct ProbeReport: Codable, Sendable {
    public var target: String
    public var startedAt: Date
    public var checks: [ProbeCheck] = []

    public static let categories: [(String, String)] = [
        ("A01", "Broken Access Control"), ("A02", "Cryptographic Failures"), ("A03", "Injection"),
        ("A04", "Insecure Design"), ("A05", "Security Misconfiguration"), ("A06", "Vulnerable and Outdated Components"),
        ("A07", "Identification and Authentication Failures"), ("A08", "Software and Data Integrity Failures"),
        ("A09", "Security Logging and Monitoring Failures"), ("A10", "Server-Side Request Forgery"),
    ]

    public var failed: Bool { checks.contains { $0.outcome == .fail } }

    mutating func record(_ category: String, _ name: String, _ passed: Bool, _ evidence: String) {
        checks.append(ProbeCheck(category: category, name: name, outcome: passed ? .pass : .fail, evidence: evidence))
    }

    mutating func notApplicable(_ category: String, _ name: String, _ reason: String) {
        checks.append(ProbeCheck(category: category, name: name, outcome: .notApplicable, evidence: reason))
    }

    /// A plain-text table per category.
    public func table() -> String {
        var lines = ["OWASP conformance probe of \(target)", ""]
        for (id, title) in Self.categories {
            let rows = checks.filter { $0.category == id }
            lines.append("\(id) \(title)")
            if rows.isEmpty { lines.append("  (no check from outside)") }
            for row in rows {
                lines.append("  \(row.outcome.rawValue.uppercased().padding(toLength: 4, withPad: " ", startingAt: 0)) \(row.name): \(row.evidence)")
            }
        }
        let count = { (o: ProbeOutcome) in checks.filter { $0.outcome == o }.count }
        lines += ["", "\(count(.pass)) passed, \(count(.fail)) failed, \(count(.notApplicable)) not applicable"]
        return lines.joined(separator: "\n")
    }

    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }

    /// A self-contained HTML report (no scripts, every value escaped).
    public func html() -> String {
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        var body = ""
        for (id, title) in Self.categories {
            body += "<h2>\(id) \(esc(title))</h2>\n<table><tr><th>Result</th><th>Check</th><th>Evidence</th></tr>\n"
            for row in checks where row.category == id {
                body += "<tr class=\"\(row.outcome == .notApplicable ? "na" : row.outcome.rawValue)\"><td>\(row.outcome.rawValue)</td><td>\(esc(row.name))</td><td>\(esc(row.evidence))</td></tr>\n"
            }
            body += "</table>\n"
        }
        return """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>OWASP probe: \(esc(target))</title>
        <style>body{font-family:sans-serif;max-width:70em;margin:2em auto}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3em;text-align:left;vertical-align:top}.pass td:first-child{color:#176b2c}.fail td:first-child{color:#b00020;font-weight:bold}.na td:first-child{color:#666}</style>
        </head><body><h1>OWASP Top 10 (2021) conformance probe</h1>
        <p>Target: \(esc(target)) · started \(esc(startedAt.formatted(.iso8601))) · \(failed ? "<strong>FAILED</strong>" : "passed")</p>
        \(body)</body></html>
        """
    }
}
