import Domain
import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import SolarSecurity
import Storage

/// What support sees in a search: masked, enough to recognise a caller.
struct CustomerSummaryDTO: ResponseEncodable {
    var id: UUID
    var name: String
    var email: String
    var phone: String
    var city: String?
    var createdAt: Date
    var locked: Bool

    init(_ a: Account, city: String?) {
        (id, name, email, phone, createdAt) = (a.id, Mask.name(a.name), Mask.email(a.email), Mask.phone(a.phone), a.createdAt)
        self.city = city
        locked = a.lockedAt != nil
    }
}

struct CustomerListDTO: ResponseEncodable {
    var items: [CustomerSummaryDTO]
}

/// An order as staff see it without a reveal: the city, never the street or the site location.
struct StaffOrderDTO: ResponseEncodable {
    var id: UUID
    var customerId: UUID
    var status: OrderStatus
    var city: String
    var region: String
    var country: String
    var systemSizeKw: Double
    var panelCount: Int
    var roofType: RoofType
    var quote: Quote
    var installerId: UUID?
    var preferredDate: String?
    var scheduledDate: String?
    var createdAt: Date
    var updatedAt: Date

    init(_ o: Order) {
        id = o.id
        customerId = o.customerID
        status = o.status
        city = o.address.city
        region = o.address.region
        country = o.address.country
        systemSizeKw = o.spec.systemSizeKw
        panelCount = o.spec.panelCount
        roofType = o.spec.roofType
        quote = o.quote
        installerId = o.installerID
        preferredDate = o.preferredDate?.description
        scheduledDate = o.scheduledDate?.description
        createdAt = o.createdAt
        updatedAt = o.updatedAt
    }
}

struct CustomerDetailDTO: ResponseEncodable {
    var customer: CustomerSummaryDTO
    var orders: [StaffOrderDTO]
}

struct CustomerSearchRequest: RequestBody {
    var query: String
    static let shape = BodyShape.object(["query": .scalar])
}

struct RevealRequest: RequestBody {
    var reason: String
    var ticket: String?
    static let shape = BodyShape.object(["reason": .scalar, "ticket": .scalar])
}

/// The full contact data and order addresses, returned for one reveal request only.
struct RevealedCustomerDTO: ResponseEncodable {
    struct Site: Encodable, Sendable {
        var orderId: UUID
        var address: Address
    }
    var id: UUID
    var name: String
    var email: String
    var phone: String
    var sites: [Site]
}

struct BreakGlassRequest: RequestBody {
    var reason: String
    var durationMinutes: Int
    static let shape = BodyShape.object(["reason": .scalar, "durationMinutes": .scalar])
}

struct BreakGlassDTO: ResponseEncodable {
    var id: UUID
    var engineerId: UUID
    var reason: String
    var durationMinutes: Int
    var requestedAt: Date
    var approvedBy: UUID?
    var approvedAt: Date?
    var expiresAt: Date?
    var active: Bool

    init(_ g: BreakGlassGrant, now: Date) {
        (id, engineerId, reason, requestedAt) = (g.id, g.engineerID, g.reason, g.requestedAt)
        durationMinutes = Int(g.duration / 60)
        (approvedBy, approvedAt, expiresAt) = (g.approvedBy, g.approvedAt, g.expiresAt)
        active = g.isActive(at: now)
    }
}

/// A staff role waiting for (or given by) a second administrator's approval.
struct RoleGrantDTO: ResponseEncodable {
    var id: UUID
    var accountId: UUID
    var fromRole: Role
    var toRole: Role
    var createsAccount: Bool
    var requestedBy: UUID
    var requestedAt: Date
    var expiresAt: Date
    var approvedBy: UUID?
    var approvedAt: Date?

    init(_ g: RoleGrant) {
        (id, accountId, fromRole, toRole, createsAccount) = (g.id, g.accountID, g.fromRole, g.toRole, g.createsAccount)
        (requestedBy, requestedAt, expiresAt, approvedBy, approvedAt) = (g.requestedBy, g.requestedAt, g.expiresAt, g.approvedBy, g.approvedAt)
    }
}

struct RoleGrantListDTO: ResponseEncodable {
    var items: [RoleGrantDTO]
}

struct BreakGlassListDTO: ResponseEncodable {
    var items: [BreakGlassDTO]
}

struct StaffReviewDTO: ResponseEncodable {
    struct Entry: Encodable, Sendable {
        var id: UUID
        var email: String
        var role: Role
        var mfaEnabled: Bool
        var lastLoginAt: Date?
        var dormant: Bool
        var locked: Bool
    }
    var staff: [Entry]
    var openBreakGlass: [BreakGlassDTO]
}

/// Aggregates only: no names, addresses, phones, emails or ids.
struct SalesSummaryDTO: ResponseEncodable {
    struct StatusCount: Encodable, Sendable {
        var status: OrderStatus
        var count: Int
    }
    struct WeekBucket: Encodable, Sendable {
        var week: String
        var orders: Int
        var revenueCents: Int64
    }
    struct RegionBucket: Encodable, Sendable {
        var region: String
        var orders: Int
        var revenueCents: Int64
    }
    var currency: String
    var quoteConversionRate: Double
    var byStatus: [StatusCount]
    var byWeek: [WeekBucket]
    var byRegion: [RegionBucket]

    init(_ r: SalesReport) {
        currency = r.currency
        quoteConversionRate = r.quoteConversionRate
        byStatus = r.byStatus.map { StatusCount(status: $0.status, count: $0.count) }
        byWeek = r.byWeek.map { WeekBucket(week: $0.key, orders: $0.orders, revenueCents: $0.revenueCents) }
        byRegion = r.byRegion.map { RegionBucket(region: $0.key, orders: $0.orders, revenueCents: $0.revenueCents) }
    }
}

struct AuditEventDTO: ResponseEncodable {
    var id: UUID
    var occurredAt: Date
    var actorId: UUID?
    var actorRole: Role?
    var action: String
    var targetType: String?
    var targetId: UUID?
    var outcome: AuditOutcome
    var clientIp: String?
    var requestId: String?

    init(_ e: AuditEvent) {
        id = e.id
        occurredAt = e.occurredAt
        actorId = e.actorID
        actorRole = e.actorRole
        action = e.action
        targetType = e.targetType
        targetId = e.targetID
        outcome = e.outcome
        clientIp = e.clientIP.map(Self.redact)
        requestId = e.requestID
    }
}

extension AuditEventDTO {
    /// The viewer shows the network, not the person's address: 203.0.113.x, 2001:db8:1:2::/64.
    static func redact(_ ip: String) -> String {
        if ip.contains(":") {
            return ip.split(separator: ":", omittingEmptySubsequences: false).prefix(4).joined(separator: ":") + "::/64"
        }
        let parts = ip.split(separator: ".")
        return parts.count == 4 ? parts.prefix(3).joined(separator: ".") + ".x" : "redacted"
    }
}

struct AuditEventPageDTO: ResponseEncodable {
    var items: [AuditEventDTO]
    var nextOffset: Int?
    /// The `before` of the next page (keyset paging); absent on the last page.
    var nextBefore: Int64?
}
