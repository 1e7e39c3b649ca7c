import Domain
import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import SolarSecurity
import Storage

struct GeoPointDTO: Codable, Sendable {
    var latitude: Double
    var longitude: Double
    static let shape = BodyShape.object(["latitude": .scalar, "longitude": .scalar])
    var point: GeoPoint { GeoPoint(latitude: latitude, longitude: longitude) }
    init(_ p: GeoPoint) { (latitude, longitude) = (p.latitude, p.longitude) }
}

struct CreateOrderRequest: RequestBody {
    var address: Address
    var location: GeoPointDTO
    var systemSizeKw: Double
    var panelCount: Int
    var roofType: RoofType
    var preferredDate: String?
    var notes: String?

    static let shape = BodyShape.object([
        "address": .object(["line1": .scalar, "line2": .scalar, "city": .scalar, "region": .scalar, "postalCode": .scalar, "country": .scalar]),
        "location": GeoPointDTO.shape,
        "systemSizeKw": .scalar, "panelCount": .scalar, "roofType": .scalar, "preferredDate": .scalar, "notes": .scalar,
    ])
}

struct OrderDTO: ResponseEncodable {
    var id: UUID
    var status: OrderStatus
    var address: Address
    var location: GeoPointDTO
    var systemSizeKw: Double
    var panelCount: Int
    var roofType: RoofType
    var preferredDate: String?
    var notes: String?
    var quote: Quote
    var installerId: UUID?
    var scheduledDate: String?
    var createdAt: Date
    var updatedAt: Date

    init(_ o: Order) {
        id = o.id
        status = o.status
        address = o.address
        location = GeoPointDTO(o.location)
        systemSizeKw = o.spec.systemSizeKw
        panelCount = o.spec.panelCount
        roofType = o.spec.roofType
        preferredDate = o.preferredDate?.description
        notes = o.notes
        quote = o.quote
        installerId = o.installerID
        scheduledDate = o.scheduledDate?.description
        createdAt = o.createdAt
        updatedAt = o.updatedAt
    }
}

struct OrderPageDTO: ResponseEncodable {
    var items: [OrderDTO]
    var nextOffset: Int?
}

struct StaffOrderUpdateRequest: RequestBody {
    enum Kind: String, Codable, Sendable {
        case reschedule
        case cancel
    }
    var action: Kind
    var scheduledDate: String?
    var reason: String
    static let shape = BodyShape.object(["action": .scalar, "scheduledDate": .scalar, "reason": .scalar])
}
