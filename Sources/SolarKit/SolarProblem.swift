public import SolarClient

/// An API error as the app sees it: the problem's type and status, a message it can show the
/// user, and the request id to quote to support. No server internals ever reach it (the server
/// sends none).
public struct SolarProblem: Error, Sendable, Equatable {
    public var status: Int
    /// The problem type's slug, e.g. `invalid-transition` from `/problems/invalid-transition`.
    public var kind: String
    public var detail: String?
    public var requestID: String?
    public var fields: [String: String]

    public init(_ problem: Components.Schemas.Problem) {
        status = problem.status
        kind = String(problem._type.split(separator: "/").last ?? "")
        detail = problem.detail
        requestID = problem.instance
        fields = Dictionary((problem.errors ?? []).map { ($0.field, $0.message) }, uniquingKeysWith: { first, _ in first })
    }

    /// What the app tells the user.
    public var userMessage: String {
        switch (status, kind) {
        case (401, _): "Please sign in again."
        case (403, _): "You are not allowed to do this."
        case (404, _): "We could not find that."
        case (409, "invalid-transition"): "This can no longer be changed; refresh to see its current state."
        case (409, _): "This was changed in the meantime; refresh and try again."
        case (422, _): "Please check the highlighted fields."
        case (429, _): "Too many attempts. Please wait a moment and try again."
        case (500..., _): "Something went wrong on our side. Please try again later."
        default: detail ?? "The request could not be completed."
        }
    }
}
