import Domain
import Hummingbird
import Logging
import SolarSecurity
import Storage
import Foundation
import HTTPTypes
import NIOCore

/// Turns every error into an RFC 9457 problem answer with a generic message. Known errors
/// map to their status; anything else is logged (by type only) and becomes a bare 500.
/// Access denials are written to the audit log here, after their transaction rolled back.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let services: AppServices
    let web: WebSupport

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let isWebPage = Self.isWebPage(request.uri.path)
        do {
            return rotatedCookie(try await next(request, context), context: context, web: isWebPage)
        } catch {
            let problem = try await problem(for: error, context: context)
            await securityEvent(problem, request: request, context: context)
            guard isWebPage else { return try problem.response(requestID: context.requestID) }
            if problem.status == .unauthorized { return web.redirect("/login") }
            // Staff without a second factor may only enrol: send them to the page that does it.
            if problem.slug == ApiError.mfaEnrollmentRequired.slug { return rotatedCookie(web.redirect("/account/security"), context: context, web: true) }
            return rotatedCookie(try errorPage(problem, context: context), context: context, web: true)
        }
    }

    /// A re-authentication in this request replaced the session token (`SessionRotation`): the
    /// browser gets it as its new session cookie, whether the page that followed succeeded or not.
    func rotatedCookie(_ response: Response, context: Context, web isWebPage: Bool) -> Response {
        guard isWebPage, let token = context.rotation.newToken, let expiry = context.rotation.absoluteExpiry else { return response }
        var response = response
        response.setCookie(web.sessionCookie(token, maxAge: max(0, Int(expiry.timeIntervalSince(services.now())))))
        return response
    }

    /// An error page in the site's style with a generic message; nothing of the failure's cause appears on it.
    func errorPage(_ problem: ApiError, context: Context) throws -> Response {
        let heading = switch problem.status.code {
        case 400: "That request was not understood"
        case 403: "Not allowed"
        case 404: "Page not found"
        case 409: "That change is not possible now"
        case 413: "That was too large"
        case 429: "Too many attempts"
        case 500...: "Something went wrong on our side"
        default: "The request could not be completed"
        }
        var values = web.frame(context, account: nil, title: heading)
        values["heading"] = heading
        values["status"] = "\(problem.status.code)"
        values["message"] = problem.title
        values["requestID"] = problem.status.code >= 500 ? context.requestID : nil
        var response = try web.page("error", values, status: problem.status)
        for field in problem.headers where field.name == .retryAfter { response.headers[field.name] = field.value }
        return response
    }

    /// Counts an answer that is a security event and, at most once a minute per kind and client,
    /// audits and logs it (`SecurityEvents`). A failed audit write is logged and counted.
    func securityEvent(_ problem: ApiError, request: Request, context: Context) async {
        let events = services.securityEvents
        let now = services.now()
        let client = context.clientIP ?? "unknown"
        let kind: SecurityEvents.Kind
        if let found = SecurityEvents.kind(of: problem) {
            kind = found
            services.metrics.securityEvent(kind.rawValue)
            guard events.shouldRecord(kind, client: client, now: now) else { return }
        } else if SecurityEvents.isInvalidInput(problem), events.countInvalid(client: client, now: now) {
            kind = .validation
            services.metrics.securityEvent(kind.rawValue)
        } else {
            return
        }
        let event = AuditEvent(occurredAt: now, actorID: context.principal?.accountID, actorRole: context.principal?.role, action: kind.rawValue,
                               outcome: .denied, clientIP: context.clientIP, requestID: context.requestID,
                               detail: "\(request.method.rawValue) \(request.uri.path.prefix(200)) \(problem.slug)")
        context.logger.notice("security event", metadata: ["kind": .string(kind.rawValue), "path": .string(String(request.uri.path.prefix(200)))])
        do {
            try await services.store.write { db in try db.appendAudit(event) }
        } catch {
            context.logger.error("audit write for a security event failed", metadata: ["error_type": .string(String(reflecting: type(of: error)))])
            services.metrics.internalFailure("security_event_audit")
        }
    }

    /// Web pages get HTML errors; the API, health and contract routes get problem+json.
    static func isWebPage(_ path: String) -> Bool {
        !(path.hasPrefix("/api/") || path.hasPrefix("/health/") || path == "/openapi.yaml")
    }

    func problem(for error: any Error, context: Context) async throws -> ApiError {
        switch error {
        case let error as ApiError:
            return error
        case let denied as AccessDenied:
            var stamped = denied.event
            stamped.occurredAt = services.now()
            let event = stamped
            do {
                try await services.store.write { db in try db.appendAudit(event) }
            } catch {
                // The denial still answers 403/404; its missing audit record must not go unseen.
                context.logger.error("audit write for an access denial failed", metadata: ["error_type": .string(String(reflecting: type(of: error)))])
                services.metrics.internalFailure("denial_audit")
            }
            services.metrics.authorizationDenied(denied.decision == .notFound ? "not_found" : denied.decision == .mfaEnrollmentRequired ? "mfa_required" : "forbidden")
            context.logger.notice("authorization denied", metadata: ["action": .string(event.detail ?? "")])
            switch denied.decision {
            case .notFound: return .notFound
            case .mfaEnrollmentRequired: return .mfaEnrollmentRequired
            case .allow, .forbidden: return .forbidden
            }
        case let failure as ValidationFailure:
            return .validation(failure.errors)
        case StorageError.conflict:
            return .conflict
        case StorageError.constraintViolation:
            // The schema caught input the validators let through: refuse it, and log it to fix the validator.
            context.logger.warning("database constraint refused a write")
            return ApiError(.unprocessableContent, "constraint", "The request contains a value the service does not accept.")
        case StorageError.unavailable, PasswordHasherError.overloaded:
            context.logger.warning("dependency unavailable", metadata: ["error": .string(String(describing: error))])
            return .unavailable
        case let error as any HTTPResponseError:
            return .generic(error.status)
        default:
            context.logger.error("unhandled error", metadata: ["error_type": .string(String(reflecting: type(of: error)))])
            // A 500 is a failure someone must look at: counted, so `SolarInternalFailures` alerts.
            services.metrics.internalFailure("unhandled")
            return .internalError
        }
    }
}
