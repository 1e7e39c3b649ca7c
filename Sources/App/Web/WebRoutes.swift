import Domain
import Foundation
import HTTPTypes
import Hummingbird
import SolarSecurity
import Storage

/// The CSRF token every signed-in form carries.
struct CSRFField: Decodable { var _csrf: String? }

extension RouterGroup where Context == AuthenticatedContext {
    /// A page for a signed-in caller whose role may do `action`, through the same `secured`
    /// plumbing as the API: no session → the login page; wrong role → a 403 page.
    @discardableResult
    func page(_ path: RouterPath, _ action: Action, handler: @escaping @Sendable (Request, AuthenticatedContext) async throws -> Response) -> Self {
        secured(.get, path, action, handler: handler)
    }

    /// A form post of a signed-in caller: the session's CSRF token and the role the policy
    /// allows for `action` (the request is already known to be same-origin:
    /// `WebOriginMiddleware`); then the handler gets the decoded form. Any failure changes
    /// nothing and answers an error page.
    @discardableResult
    func form<Form: Decodable & Sendable>(
        _ path: RouterPath, _ action: Action, _ type: Form.Type,
        handler: @escaping @Sendable (Form, Request, AuthenticatedContext) async throws -> Response
    ) -> Self {
        secured(.post, path, action) { request, context in
            let text = String(buffer: try await request.body.collect(upTo: 64 * 1024))
            let decoder = URLEncodedFormDecoder()
            guard let token = try? decoder.decode(CSRFField.self, from: text),
                  CSRFToken.isValid(token._csrf, sessionTokenHash: context.session.tokenHash) else { throw ApiError.crossSite }
            let form: Form
            do { form = try decoder.decode(Form.self, from: text) } catch { throw ApiError.malformedBody }
            return try await handler(form, request, context)
        }
    }
}
