import Domain
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Security
import Storage
import Logging

/// The server-rendered web interface for customers, installers and staff (support and sales
/// pages in `WebStaffRoutes`, two-factor enrolment in `WebAccountRoutes`). It shares the
/// services, policy and audit of the JSON API; only the session transport differs: a
/// `__Host-` cookie plus CSRF tokens and same-origin checks.
struct WebController {
    let services: AppServices
    let web: WebSupport
    var auth: AuthService { AuthService(services: services) }
    var workflow: OrderWorkflow { OrderWorkflow(services: services) }
    var dispatch: DispatchService { DispatchService(services: services) }

    init(services: AppServices) {
        self.services = services
        self.web = WebSupport(config: services.config)
    }

    struct LoginForm: Decodable { var email: String; var password: String; var totpCode: String? }
    struct SignupForm: Decodable { var email: String; var password: String; var name: String; var phone: String }
    struct TokenForm: Decodable { var _csrf: String? }
    struct JobForm: Decodable { var _csrf: String?; var status: String }

    func endpoints(_ router: Router<AppRequestContext>) {
        router.get("/") { _, context in
            context.principal == nil ? web.page("home", web.frame(context, account: nil, title: "Welcome")) : web.redirect("/dashboard")
        }
        router.get("app.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: Templates.stylesheet)))
        }
        router.get("login") { _, context in web.page("login", web.frame(context, account: nil, title: "Log in")) }
        router.post("login") { request, context in
            let form = try await web.form(LoginForm.self, request, context: context)
            return try await logIn(email: form.email, password: form.password, totpCode: form.totpCode, request: request, context: context)
        }
        router.get("signup") { _, context in web.page("signup", web.frame(context, account: nil, title: "Sign up")) }
        router.post("signup") { request, context in
            let form = try await web.form(SignupForm.self, request, context: context)
            do {
                _ = try await auth.signup(SignupRequest(email: form.email, password: form.password, name: form.name, phone: form.phone), audit: AuditContext(context))
            } catch let error as ApiError where error.status == .unprocessableContent || error.status == .conflict {
                var values = web.frame(context, account: nil, title: "Sign up", error: ([error.title] + error.fieldErrors.map { "\($0.field) \($0.message)" }).joined(separator: " · "))
                values["form"] = ["name": form.name, "email": form.email, "phone": form.phone]
                return web.page("signup", values, status: error.status)
            }
            return try await logIn(email: form.email, password: form.password, totpCode: nil, request: request, context: context)
        }
        router.post("logout") { request, context in
            let form = try await web.form(TokenForm.self, request, context: context)
            let caller = try web.authenticatedPost(request, context: context, csrf: form._csrf)
            try await auth.logout(session: caller.session, audit: AuditContext(caller))
            return web.redirect("/", cookie: web.sessionCookie("", maxAge: 0))
        }
        router.get("dashboard") { _, context in
            guard let caller = try? AuthenticatedContext(context: context) else { return web.redirect("/login") }
            return try await dashboard(caller, context: context)
        }
        WebOrderRoutes(controller: self).endpoints(router)
        WebStaffRoutes(controller: self).endpoints(router)
        WebAccountRoutes(controller: self).endpoints(router)
        router.post("installer/offers/:id/accept") { request, context in
            let form = try await web.form(TokenForm.self, request, context: context)
            let caller = try web.authenticatedPost(request, context: context, csrf: form._csrf)
            try caller.requireRole(for: .acceptOffer)
            _ = try await dispatch.acceptOffer(try context.uuid("id"), context: caller)
            return web.redirect("/dashboard")
        }
        router.post("installer/jobs/:id/status") { request, context in
            let form = try await web.form(JobForm.self, request, context: context)
            let caller = try web.authenticatedPost(request, context: context, csrf: form._csrf)
            try caller.requireRole(for: .updateJobStatus)
            guard let target = JobStatusRequest.Target(rawValue: form.status) else { throw ApiError.malformedBody }
            _ = try await dispatch.updateJob(try context.uuid("id"), to: target, context: caller)
            return web.redirect("/dashboard")
        }
    }

    /// Opens a fresh web session (a new id at every login: no fixation) and revokes any
    /// session the browser presented before. Same throttling and second factor as the API.
    func logIn(email: String, password: String, totpCode: String?, request: Request, context: AppRequestContext) async throws -> Response {
        let result: LoginResult
        let input = LoginInput(email: email, password: password, totpCode: totpCode.flatMap { $0.isEmpty ? nil : $0 },
                               recoveryCode: nil, kind: .web, userAgent: request.headers[.userAgent])
        do {
            result = try await auth.login(input, audit: AuditContext(context))
        } catch let error as ApiError where error.status == .unauthorized || error.status == .tooManyRequests {
            var values = web.frame(context, account: nil, title: "Log in", error: error.title)
            values["needsCode"] = error.slug == "mfa-required" || error.slug == "invalid-second-factor" ? true : nil
            values["email"] = error.slug == "mfa-required" || error.slug == "invalid-second-factor" ? email : nil
            var response = web.page("login", values, status: error.status)
            if let retry = error.headers[.retryAfter] { response.headers[.retryAfter] = retry }
            return response
        }
        if let old = context.session {
            let now = services.now()
            try await services.store.write { db in try db.revokeSession(id: old.id, at: now) }
        }
        let lifetime = Int(result.session.absoluteExpiresAt.timeIntervalSince(result.session.createdAt))
        return web.redirect("/dashboard", cookie: web.sessionCookie(result.token.value, maxAge: lifetime))
    }

    func dashboard(_ caller: AuthenticatedContext, context: AppRequestContext) async throws -> Response {
        let me = caller.principal.accountID
        let now = services.now()
        guard let account = try await services.store.read({ db in try db.account(id: me) }) else { return web.redirect("/login") }
        var values = web.frame(context, account: account, title: "Dashboard")
        let csrf = values["csrf"] ?? ""
        switch account.role {
        case .customer:
            let orders = try await services.store.read { db in try db.orders(customerID: me, limit: 100, offset: 0) }
            values["customer"] = true
            values["orders"] = orders.map { o in
                ["id": o.id.uuidString.lowercased(), "short": String(o.id.uuidString.prefix(8)), "status": o.status.rawValue,
                 "total": WebSupport.money(o.quote.totalCents, o.quote.currency), "created": WebSupport.day(o.createdAt)]
            }
        case .installer:
            let (offers, jobs) = try await services.store.read { db in
                (try db.openOffers(installerID: me, now: now), try db.orders(installerID: me, limit: 100))
            }
            values["installer"] = true
            values["offers"] = offers.map { offer, order in
                let dto = OfferDTO(offer, order)
                return ["id": offer.id.uuidString.lowercased(), "city": dto.area.city, "postalPrefix": dto.area.postalCodePrefix,
                        "distance": String(format: "%.1f", offer.distanceKm), "size": String(order.spec.systemSizeKw),
                        "panels": order.spec.panelCount, "roof": order.spec.roofType.rawValue, "expires": offer.expiresAt.formatted(.iso8601), "csrf": csrf]
            }
            values["jobs"] = jobs.map { o in
                let next: String? = o.status == .scheduled ? "in_progress" : o.status == .inProgress ? "completed" : nil
                return ["id": o.id.uuidString.lowercased(), "address": "\(o.address.line1), \(o.address.city)", "status": o.status.rawValue,
                        "date": o.scheduledDate?.description ?? "to agree", "next": next as Any, "csrf": csrf]
            }
        case .support, .sales, .engineer, .admin:
            let p = caller.principal
            var staff: [String: Any] = ["role": account.role.rawValue]
            if !p.secondFactor { staff["needsMFA"] = true }
            if AccessPolicy.decideRole(p, .searchCustomers) == .allow { staff["customers"] = true }
            if AccessPolicy.decideRole(p, .readSalesSummary) == .allow { staff["sales"] = true }
            if account.role == .engineer, !p.breakGlass { staff["engineer"] = true }
            if account.role == .admin { staff["admin"] = true }
            values["staff"] = staff
        }
        return web.page("dashboard", values)
    }
}
