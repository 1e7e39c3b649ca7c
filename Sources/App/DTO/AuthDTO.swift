import Domain
import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import SolarSecurity
import Storage

struct SignupRequest: RequestBody {
    var email: String
    var password: String
    var name: String
    var phone: String
    static let shape = BodyShape.object(["email": .scalar, "password": .scalar, "name": .scalar, "phone": .scalar])
}

struct LoginRequest: RequestBody {
    var email: String
    var password: String
    var totpCode: String?
    var recoveryCode: String?
    var deviceToken: String?
    var emailCode: String?
    static let shape = BodyShape.object(["email": .scalar, "password": .scalar, "totpCode": .scalar, "recoveryCode": .scalar, "deviceToken": .scalar,
                                         "emailCode": .scalar])
}

struct RefreshRequest: RequestBody {
    var refreshToken: String
    static let shape = BodyShape.object(["refreshToken": .scalar])
}

struct TokenRequest: RequestBody {
    var token: String
    static let shape = BodyShape.object(["token": .scalar])
}

struct PasswordResetRequest: RequestBody {
    var email: String
    static let shape = BodyShape.object(["email": .scalar])
}

struct PasswordResetConfirm: RequestBody {
    var token: String
    var newPassword: String
    static let shape = BodyShape.object(["token": .scalar, "newPassword": .scalar])
}

struct ReauthRequest: RequestBody {
    var password: String
    var totpCode: String?
    static let shape = BodyShape.object(["password": .scalar, "totpCode": .scalar])
}

struct ChangePasswordRequest: RequestBody {
    var currentPassword: String
    var newPassword: String
    static let shape = BodyShape.object(["currentPassword": .scalar, "newPassword": .scalar])
}

struct TotpConfirmRequest: RequestBody {
    var code: String
    static let shape = BodyShape.object(["code": .scalar])
}

struct TotpEnrollmentDTO: ResponseEncodable {
    var secret: String
    var otpauthUri: String
}

struct RecoveryCodesDTO: ResponseEncodable {
    var recoveryCodes: [String]
}

struct SessionInfoDTO: ResponseEncodable {
    var id: UUID
    var kind: String
    var createdAt: Date
    var lastSeenAt: Date
    var expiresAt: Date
    var current: Bool
    var userAgent: String?
    var clientIp: String?
}

struct SessionListDTO: ResponseEncodable {
    var items: [SessionInfoDTO]
}

struct EmailChangeRequest: RequestBody {
    var email: String
    static let shape = BodyShape.object(["email": .scalar])
}

struct RoleChangeRequest: RequestBody {
    var role: Role
    static let shape = BodyShape.object(["role": .scalar])
}

struct AcceptedDTO: ResponseEncodable {
    var status = "accepted"
}

struct CreateAccountRequest: RequestBody {
    var email: String
    var name: String
    var phone: String
    var role: Role
    static let shape = BodyShape.object(["email": .scalar, "name": .scalar, "phone": .scalar, "role": .scalar])
}

/// `POST /api/v1/auth/invitation`: the emailed code and the password its owner chooses.
struct InvitationAcceptRequest: RequestBody {
    var token: String
    var password: String
    static let shape = BodyShape.object(["token": .scalar, "password": .scalar])
}

/// The session's new access token after a step-up (the presented one no longer works).
struct ReauthResponse: ResponseEncodable {
    var accessToken: String
    var tokenType = "Bearer"
    var expiresAt: Date
}

struct LoginResponse: ResponseEncodable {
    var accessToken: String
    var tokenType = "Bearer"
    var expiresAt: Date
    var refreshToken: String
    var refreshExpiresAt: Date
    var mfaEnrollmentRequired: Bool
    var deviceToken: String?

    init(_ r: LoginResult) {
        accessToken = r.token.value
        expiresAt = r.session.expiresAt
        refreshToken = r.refreshToken?.value ?? ""
        refreshExpiresAt = r.refreshExpiresAt ?? r.session.expiresAt
        mfaEnrollmentRequired = r.mfaEnrollmentRequired
        deviceToken = r.deviceToken
    }
}

struct AccountDTO: ResponseEncodable {
    var id: UUID
    var email: String
    var name: String
    var phone: String
    var role: Role
    var createdAt: Date

    init(_ a: Account) {
        (id, email, name, phone, role, createdAt) = (a.id, a.email, a.name, a.phone, a.role, a.createdAt)
    }
}

struct HealthDTO: ResponseEncodable {
    var status: String
}
