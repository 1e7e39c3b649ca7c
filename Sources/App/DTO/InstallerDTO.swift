import Domain
import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import SolarSecurity
import Storage

struct ServiceAreaDTO: Codable, Sendable {
    var latitude: Double
    var longitude: Double
    var radiusKm: Double
}

struct InstallerProfileRequest: RequestBody {
    var serviceArea: ServiceAreaDTO
    var available: Bool
    var certifications: [String]
    static let shape = BodyShape.object([
        "serviceArea": .object(["latitude": .scalar, "longitude": .scalar, "radiusKm": .scalar]),
        "available": .scalar, "certifications": .array(.scalar),
    ])
}

struct InstallerProfileDTO: ResponseEncodable {
    var serviceArea: ServiceAreaDTO
    var available: Bool
    var certifications: [String]
    var updatedAt: Date

    init(_ p: InstallerProfile) {
        serviceArea = ServiceAreaDTO(latitude: p.serviceArea.centre.latitude, longitude: p.serviceArea.centre.longitude, radiusKm: p.serviceArea.radiusKm)
        available = p.available
        certifications = p.certifications
        updatedAt = p.updatedAt
    }
}

/// What an installer sees of an offered job: the coarse area only, never the address.
struct OfferDTO: ResponseEncodable {
    struct Area: Encodable, Sendable {
        var city: String
        var postalCodePrefix: String
    }
    var id: UUID
    var orderId: UUID
    var status: OfferStatus
    var distanceKm: Double
    var expiresAt: Date
    var area: Area
    var systemSizeKw: Double
    var panelCount: Int
    var roofType: RoofType
    var preferredDate: String?

    init(_ offer: Offer, _ order: Order) {
        id = offer.id
        orderId = order.id
        status = offer.status
        distanceKm = offer.distanceKm
        expiresAt = offer.expiresAt
        area = Area(city: order.address.city, postalCodePrefix: String(order.address.postalCode.prefix(2)))
        systemSizeKw = order.spec.systemSizeKw
        panelCount = order.spec.panelCount
        roofType = order.spec.roofType
        preferredDate = order.preferredDate?.description
    }
}

struct OfferListDTO: ResponseEncodable {
    var items: [OfferDTO]
}

/// A job the installer holds. The exact address, location, notes and the customer's first name
/// and phone appear only inside the access window (`JobDTO.revealsSite`); otherwise the area only.
struct JobDTO: ResponseEncodable {
    var id: UUID
    var status: OrderStatus
    var area: OfferDTO.Area
    var address: Address?
    var location: GeoPointDTO?
    var customerFirstName: String?
    var customerPhone: String?
    var systemSizeKw: Double
    var panelCount: Int
    var roofType: RoofType
    var scheduledDate: String?
    var notes: String?

    init(_ o: Order, customer: Account?, now: Date, daysAfterCompletion: Int) {
        id = o.id
        status = o.status
        area = OfferDTO.Area(city: o.address.city, postalCodePrefix: String(o.address.postalCode.prefix(2)))
        systemSizeKw = o.spec.systemSizeKw
        panelCount = o.spec.panelCount
        roofType = o.spec.roofType
        scheduledDate = o.scheduledDate?.description
        guard Self.revealsSite(o, now: now, daysAfterCompletion: daysAfterCompletion) else { return }
        address = o.address
        location = GeoPointDTO(o.location)
        notes = o.notes
        customerFirstName = customer.map { String($0.name.split(separator: " ").first ?? "") }
        customerPhone = customer?.phone
    }

    /// The installer needs the site from accepting the job until it is completed plus the
    /// configured days; never for a cancelled job.
    static func revealsSite(_ o: Order, now: Date, daysAfterCompletion: Int) -> Bool {
        switch o.status {
        case .scheduled, .inProgress: true
        case .completed: now.timeIntervalSince(o.updatedAt) <= Double(daysAfterCompletion) * 86_400
        default: false
        }
    }
}

struct JobListDTO: ResponseEncodable {
    var items: [JobDTO]
}

struct JobStatusRequest: RequestBody {
    enum Target: String, Codable, Sendable {
        case inProgress = "in_progress"
        case completed
    }
    var status: Target
    static let shape = BodyShape.object(["status": .scalar])
}
