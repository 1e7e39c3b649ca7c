import Domain
import Foundation
import SolarSecurity
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Storage

/// Applies the password policy and, when configured, the breached-password check.
struct PasswordRules: Sendable {
    let services: AppServices

    func check(_ password: String, email: String, mfaEnrolled: Bool = false, field: String) async throws {
        if let problem = PasswordPolicy.problem(with: password, email: email, mfaEnrolled: mfaEnrolled) {
            throw ApiError.validation([FieldError(field, problem)])
        }
        switch await services.breached.check(password) {
        case .notFound: return
        case .breached: throw ApiError.validation([FieldError(field, "appears in known data breaches; choose another password")])
        case .unavailable: throw ApiError(.serviceUnavailable, "password-check-unavailable", "The password cannot be checked right now. Try again later.")
        }
    }
}
