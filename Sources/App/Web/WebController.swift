import Domain
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SolarSecurity
import Storage
import Logging

/// The server-rendered web interface for customers, installers and staff. It shares the
/// services, policy and audit of the JSON API; only the session transport differs: a
/// `__Host-` cookie plus CSRF tokens and same-origin checks. Public pages (home, login,
/// signup, password reset, static files) are here; signed-in pages go through one
/// `AuthenticatedContext` group with the same `secured` plumbing as the API.
struct WebController {
    let services: AppServices
    let web: WebSupport
    var auth: AuthService { AuthService(services: services) }

    struct LoginForm: Decodable { var email: String; var password: String; var totpCode: String?; var recoveryCode: String?; var emailCode: String? }
    struct SignupForm: Decodable { var email: String; var password: String; var name: String; var phone: String }
    struct EmailForm: Decodable { var email: String }
    struct ResetForm: Decodable { var token: String; var password: String }
    struct TokenForm: Decodable { var token: String }

    /// The trusted-device cookie (`DeviceToken`), kept across logouts.
    static let deviceCookie = "__Host-sd_device"

    /// The password rules the forms show and enforce in the browser; the server checks them again.
    static var passwordRules: [String: Int] {
        ["min": PasswordPolicy.minimumLength(mfaEnrolled: false), "max": PasswordPolicy.maximumLength]
    }

    func endpoints(_ router: Router<AppRequestContext>) {
        router.get("/") { _, context in
            context.principal == nil ? try web.page("home", web.frame(context, account: nil, title: "Solar installation, near you")) : web.redirect("/dashboard")
        }
        staticFiles(router)
        router.get("login") { _, context in try web.page("login", web.frame(context, account: nil, title: "Log in")) }
        router.post("login") { request, context in
            let form = try await web.form(LoginForm.self, request, context: context)
            return try await logIn(form, request: request, context: context)
        }
        router.get("signup") { _, context in try signupPage(context, form: [:], errors: [:]) }
        router.post("signup") { request, context in
            let form = try await web.form(SignupForm.self, request, context: context)
            do {
                try await auth.signup(SignupRequest(email: form.email, password: form.password, name: form.name, phone: form.phone), audit: AuditContext(context))
            } catch let error as ApiError where error.status == .unprocessableContent {
                let fields = ["name": form.name, "email": form.email, "phone": form.phone]
                return try signupPage(context, form: fields, errors: WebSupport.fieldErrors(error.fieldErrors), message: error.title, status: error.status)
            }
            // The same page whether or not the email has an account (no sign-in here: the
            // email says how to go on), as the API's 202.
            var values = web.frame(context, account: nil, title: "Check your email")
            values["sent"] = true
            return try web.page("signup", values, status: .accepted)
        }
        passwordPages(router)

        let pages = router.group(context: AuthenticatedContext.self)
        pages.add(middleware: BreakGlassAuditMiddleware(services: services))
        pages.form("logout", .readOwnAccount, CSRFField.self) { _, _, caller in
            try await auth.logout(session: caller.session, audit: AuditContext(caller))
            return web.redirect("/", cookie: web.sessionCookie("", maxAge: 0))
        }
        pages.page("dashboard", .readOwnAccount) { request, caller in
            switch caller.principal.role {
            case .customer: return try await WebCustomerRoutes(controller: self).orders(caller)
            case .installer: return try await WebInstallerRoutes(controller: self).dashboard(caller)
            case .support, .sales, .engineer, .admin: return try await WebStaffRoutes(controller: self).console(caller)
            }
        }
        WebCustomerRoutes(controller: self).endpoints(pages)
        WebAccountRoutes(controller: self).endpoints(pages)
        WebInstallerRoutes(controller: self).endpoints(pages)
        WebStaffRoutes(controller: self).endpoints(pages)
        WebOversightRoutes(controller: self).endpoints(pages)
        WebAccountAdminRoutes(controller: self).endpoints(pages)
    }

    /// The signed-in caller's account, as the API's `/me` reads it.
    func account(_ caller: AuthenticatedContext) async throws -> Account {
        try await AccountSecurityService(services: services).account(caller)
    }

    /// The stylesheet and images under content-hashed names, cacheable for a year; the favicon
    /// at its well-known path for a day.
    func staticFiles(_ router: Router<AppRequestContext>) {
        router.get("static/:name") { request, _ in
            guard let file = web.assets.files[request.uri.path] else { throw ApiError.notFound }
            return Self.asset(file, cache: "public, max-age=31536000, immutable")
        }
        router.get("favicon.ico") { _, _ in
            guard let path = web.assets.paths["favicon.ico"], let file = web.assets.files[path] else { throw ApiError.notFound }
            return Self.asset(file, cache: "public, max-age=86400")
        }
    }

    static func asset(_ file: WebAssets.File, cache: String) -> Response {
        Response(status: .ok, headers: [.contentType: file.contentType, .cacheControl: cache],
                 body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }

    func signupPage(_ context: AppRequestContext, form: [String: String], errors: [String: String], message: String? = nil,
                    status: HTTPResponse.Status = .ok) throws -> Response {
        var values = web.frame(context, account: nil, title: "Create your account", error: message)
        values["form"] = form
        values["errors"] = errors
        values["rules"] = Self.passwordRules
        return try web.page("signup", values, status: status)
    }

    /// Opens a fresh web session (a new id at every login: no fixation) and revokes any
    /// session the browser presented before. Same throttling and second factor as the API.
    func logIn(_ form: LoginForm, request: Request, context: AppRequestContext) async throws -> Response {
        let result: LoginResult
        let blank = { (s: String?) in s.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) } }
        let input = LoginInput(email: form.email, password: form.password, totpCode: blank(form.totpCode),
                               recoveryCode: blank(form.recoveryCode), kind: .web, userAgent: request.headers[.userAgent],
                               deviceToken: request.cookies[Self.deviceCookie]?.value, emailCode: blank(form.emailCode))
        do {
            result = try await auth.login(input, audit: AuditContext(context))
        } catch let error as ApiError where error.status == .unauthorized || error.status == .tooManyRequests {
            // The second step: the authenticator's code, or the code emailed for a new device.
            let emailed = error.slug == LoginCodeService.required.slug || (error.slug == "invalid-second-factor" && blank(form.emailCode) != nil)
            let secondStep = error.slug == "mfa-required" || error.slug == "invalid-second-factor" || emailed
            let prompt = error.slug == "mfa-required" || error.slug == LoginCodeService.required.slug
            var values = web.frame(context, account: nil, title: "Log in", error: secondStep && prompt ? nil : error.title)
            values["needsCode"] = secondStep && !emailed ? true : nil
            values["needsEmailCode"] = emailed ? true : nil
            values["email"] = form.email
            var response = try web.page("login", values, status: error.status)
            if let retry = error.headers[.retryAfter] { response.headers[.retryAfter] = retry }
            return response
        }
        if let old = context.session {
            let now = services.now()
            try await services.store.write { db in try db.revokeSession(id: old.id, at: now) }
        }
        let lifetime = Int(result.session.absoluteExpiresAt.timeIntervalSince(result.session.createdAt))
        var response = web.redirect("/dashboard", cookie: web.sessionCookie(result.token.value, maxAge: lifetime))
        if let device = result.deviceToken {
            response.setCookie(Cookie(name: Self.deviceCookie, value: device, maxAge: Int(DeviceToken.lifetime), path: "/",
                                      secure: true, httpOnly: true, sameSite: .strict))
        }
        return response
    }
}
