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

extension OrderDTO: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.object { json in
            json.key("id"); json.uuid(id)
            json.key("status"); json.string(status.rawValue)
            json.key("address")
            json.object { json in
                json.key("line1"); json.string(address.line1)
                if let line2 = address.line2 { json.key("line2"); json.string(line2) }
                json.key("city"); json.string(address.city)
                json.key("region"); json.string(address.region)
                json.key("postalCode"); json.string(address.postalCode)
                json.key("country"); json.string(address.country)
            }
            json.key("location")
            json.object { json in
                json.key("latitude"); json.double(location.latitude)
                json.key("longitude"); json.double(location.longitude)
            }
            json.key("systemSizeKw"); json.double(systemSizeKw)
            json.key("panelCount"); json.int(panelCount)
            json.key("roofType"); json.string(roofType.rawValue)
            if let preferredDate { json.key("preferredDate"); json.string(preferredDate) }
            if let notes { json.key("notes"); json.string(notes) }
            json.key("quote")
            json.object { json in
                json.key("currency"); json.string(quote.currency)
                json.key("lines")
                json.array(quote.lines) { json, line in
                    json.object { json in
                        json.key("code"); json.string(line.code)
                        json.key("description"); json.string(line.description)
                        json.key("amountCents"); json.int(line.amountCents)
                    }
                }
                json.key("totalCents"); json.int(quote.totalCents)
            }
            if let installerId { json.key("installerId"); json.uuid(installerId) }
            if let scheduledDate { json.key("scheduledDate"); json.string(scheduledDate) }
            json.key("createdAt"); json.date(createdAt)
            json.key("updatedAt"); json.date(updatedAt)
        }
    }
}

extension OrderPageDTO: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.object { json in
            json.key("items")
            json.array(items) { json, item in item.write(to: &json) }
            if let nextOffset { json.key("nextOffset"); json.int(nextOffset) }
        }
    }
}
