import Domain
import Foundation
import Graphics
import HTTPTypes
import Hummingbird
import Storage

/// Sales, engineering and admin pages of the staff console: the pipeline dashboard with
/// server-rendered SVG charts, break-glass requests and approvals, the audit viewer and the
/// access review. Staff accounts and roles are in `WebAccountAdminRoutes`.
struct WebOversightRoutes {
    let controller: WebController
    var web: WebSupport { controller.web }
    var services: AppServices { controller.services }
    var oversight: OversightService { OversightService(services: services) }
    var staff: StaffService { StaffService(services: services) }

    struct BreakGlassForm: Decodable, Sendable { var reason: String; var durationMinutes: String }

    static let auditPageSize = 50

    func endpoints(_ pages: RouterGroup<AuthenticatedContext>) {
        pages.page("staff/sales", .readSalesSummary) { _, caller in
            try web.page("staff/sales", try await salesValues(caller))
        }
        pages.page("staff/break-glass", .approveBreakGlass) { _, caller in
            try await breakGlassPage(caller, form: ["durationMinutes": "30"], errors: [:], status: .ok)
        }
        pages.form("staff/break-glass", .requestBreakGlass, BreakGlassForm.self) { form, _, caller in
            do {
                guard let minutes = Int(form.durationMinutes) else { throw ApiError.validation([FieldError("durationMinutes", "must be 1 to 60")]) }
                _ = try await oversight.requestBreakGlass(reason: form.reason, minutes: minutes, context: caller)
                return web.redirect("/staff/break-glass")
            } catch let error as ApiError where error.status == .unprocessableContent {
                return try await breakGlassPage(caller, form: ["reason": form.reason, "durationMinutes": form.durationMinutes],
                                                errors: WebSupport.fieldErrors(error.fieldErrors), status: error.status)
            }
        }
        pages.form("staff/break-glass/:id/approve", .approveBreakGlass, CSRFField.self) { _, _, caller in
            _ = try await oversight.approveBreakGlass(try caller.uuid("id"), context: caller)
            return web.redirect("/staff/break-glass")
        }
        pages.page("staff/audit", .readAuditEvents) { request, caller in
            try await auditPage(request, caller)
        }
        pages.page("admin/review", .reviewStaff) { _, caller in
            let review = try await staffReview(services: services)
            var values = web.frame(caller, account: try await controller.account(caller), title: "Access review")
            values["staff"] = review.staff.map { s in
                ["email": s.email, "role": s.role.rawValue, "mfa": s.mfaEnabled, "lastLogin": s.lastLoginAt.map(WebSupport.minute) ?? "never",
                 "dormant": s.dormant, "locked": s.locked] as [String: Any]
            }
            values["grants"] = try await grantRows(review.openBreakGlass.map(\.id), caller: caller)
            return try web.page("admin/review", values)
        }
    }

    // MARK: Sales

    func salesValues(_ caller: AuthenticatedContext) async throws -> [String: Any] {
        let report = try await staff.salesReport(context: caller)
        var values = web.frame(caller, account: try await controller.account(caller), title: "Sales pipeline")
        let currency = report.currency
        let money = { @Sendable (cents: Double) in WebSupport.money(Int64(cents), currency) }
        let weeks = report.byWeekStatus.suffix(12)
        let statuses = OrderStatus.allCases.filter { s in weeks.contains { ($0.counts[s] ?? 0) > 0 } }
        values["chartWeeks"] = Chart.stackedBars(
            title: "Orders by ISO week and status", labels: weeks.map(\.week),
            series: statuses.map { s in Chart.Series(name: WebPresentation.statusLabel(s), cssClass: "series-\(s.rawValue)",
                                                     values: weeks.map { Double($0.counts[s] ?? 0) }) },
            valueFormat: { String(Int($0)) })
        let regions = report.byRegion.sorted { $0.revenueCents > $1.revenueCents }.prefix(10)
        values["chartRegions"] = Chart.horizontalBars(title: "Revenue of jobs taken, by region", labels: regions.map(\.key),
                                                      values: regions.map { Double($0.revenueCents) }, valueFormat: money)
        values["chartConversion"] = Chart.ratio(title: "Quote conversion", value: report.quoteConversionRate,
                                                caption: "of quoted orders were accepted")
        values["totalOrders"] = report.byStatus.reduce(0) { $0 + $1.count }
        values["conversion"] = String(format: "%.1f %%", report.quoteConversionRate * 100)
        values["revenue"] = WebSupport.money(report.byRegion.reduce(0) { $0 + $1.revenueCents }, currency)
        values["byRegion"] = report.byRegion.map { ["key": $0.key, "orders": $0.orders, "revenue": WebSupport.money($0.revenueCents, currency)] }
        return values
    }

    // MARK: Break-glass

    func breakGlassPage(_ caller: AuthenticatedContext, form: [String: String], errors: [String: String], status: HTTPResponse.Status) async throws -> Response {
        var values = web.frame(caller, account: try await controller.account(caller), title: "Break-glass access")
        values["canRequest"] = AccessPolicy.decideRole(caller.principal, .requestBreakGlass) == .allow
        let grants = try await oversight.openGrants()
        values["grants"] = try await grantRows(grants.map(\.id), caller: caller, grants: grants)
        values["hasGrants"] = !grants.isEmpty
        values["form"] = form
        values["errors"] = errors
        return try web.page("staff/break-glass", values, status: status)
    }

    func grantRows(_ ids: [UUID], caller: AuthenticatedContext, grants known: [BreakGlassGrant]? = nil) async throws -> [[String: Any]] {
        let now = services.now()
        var found = known ?? []
        if known == nil { found = try await oversight.openGrants().filter { ids.contains($0.id) } }
        let grants = found
        let engineers = try await services.store.read { db in try grants.map { try db.account(id: $0.engineerID)?.email ?? "-" } }
        return zip(grants, engineers).map { grant, email in
            ["id": grant.id.uuidString.lowercased(), "engineer": email, "reason": grant.reason, "requested": WebSupport.minute(grant.requestedAt),
             "minutes": Int(grant.duration / 60), "active": grant.isActive(at: now), "expires": grant.expiresAt.map(WebSupport.minute) ?? "-",
             "mine": grant.engineerID == caller.principal.accountID,
             "canApprove": grant.approvedAt == nil && grant.approvalProblem(by: caller.principal, at: now) == nil] as [String: Any]
        }
    }

    // MARK: Audit

    func auditPage(_ request: Request, _ caller: AuthenticatedContext) async throws -> Response {
        let page = try request.query("page", default: 1, in: 1...100_000)
        let prefix = request.uri.queryParameters["action"].map(String.init)?.trimmingCharacters(in: .whitespaces).prefix(64).description
        let outcome = request.uri.queryParameters["outcome"].flatMap { AuditOutcome(rawValue: String($0)) }
        let size = Self.auditPageSize
        let events = try await services.store.read { db in
            try db.auditEvents(limit: size + 1, offset: (page - 1) * size, actionPrefix: prefix, outcome: outcome)
        }
        try await staff.record(caller, "audit.read", detail: "page=\(page)")
        var values = web.frame(caller, account: try await controller.account(caller), title: "Audit trail")
        values["events"] = events.prefix(size).map { e in
            ["when": WebSupport.minute(e.occurredAt), "action": e.action, "outcome": e.outcome.rawValue,
             "outcomeClass": e.outcome == .success ? "ok" : e.outcome == .denied ? "danger" : "warn",
             "actor": e.actorRole.map { "\($0.rawValue) \(e.actorID.map(WebSupport.short) ?? "")" } ?? "system",
             "target": e.targetType.map { "\($0) \(e.targetID.map(WebSupport.short) ?? "")" } ?? "",
             "detail": AuditRedaction.redact(e.detail ?? "")]
        }
        let query = { (p: Int) in
            var items = [URLQueryItem(name: "page", value: String(p))]
            if let prefix, !prefix.isEmpty { items.append(URLQueryItem(name: "action", value: prefix)) }
            if let outcome { items.append(URLQueryItem(name: "outcome", value: outcome.rawValue)) }
            var c = URLComponents(); c.path = "/staff/audit"; c.queryItems = items
            return c.string ?? "/staff/audit"
        }
        values["page"] = page
        values["prev"] = page > 1 ? query(page - 1) : nil
        values["next"] = events.count > size ? query(page + 1) : nil
        values["filter"] = ["action": prefix ?? ""]
        values["outcomes"] = [["value": "", "label": "Any", "selected": outcome == nil]]
            + AuditOutcome.allCases.map { ["value": $0.rawValue, "label": $0.rawValue, "selected": $0 == outcome] as [String: Any] }
        return try web.page("staff/audit", values)
    }
}

/// Free-text audit details can quote what people typed (reasons, tickets). The viewer masks
/// email addresses and long digit runs (phones, card-like numbers) and shortens the text.
enum AuditRedaction {
    static let email = try! NSRegularExpression(pattern: "[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+")
    static let digits = try! NSRegularExpression(pattern: "\\+?[0-9][0-9 ]{5,}[0-9]")

    static func redact(_ text: String) -> String {
        var out = String(text.prefix(200))
        for (pattern, replacement) in [(email, "[email]"), (digits, "[number]")] {
            out = pattern.stringByReplacingMatches(in: out, range: NSRange(out.startIndex..., in: out), withTemplate: replacement)
        }
        return out
    }
}
