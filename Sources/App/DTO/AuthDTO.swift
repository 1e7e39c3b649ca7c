import Domain
import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import Security
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
    static let shape = BodyShape.object(["email": .scalar, "password": .scalar])
}

struct CreateAccountRequest: RequestBody {
    var email: String
    var name: String
    var phone: String
    var role: Role
    var password: String
    static let shape = BodyShape.object(["email": .scalar, "name": .scalar, "phone": .scalar, "role": .scalar, "password": .scalar])
}

struct LoginResponse: ResponseEncodable {
    var accessToken: String
    var tokenType = "Bearer"
    var expiresAt: Date
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
