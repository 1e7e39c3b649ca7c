import Domain
import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import Security
import Storage

struct CustomerSummaryDTO: ResponseEncodable {
    var id: UUID
    var name: String
    var email: String
    var phone: String
    var createdAt: Date

    init(_ a: Account) {
        (id, name, email, phone, createdAt) = (a.id, a.name, a.email, a.phone, a.createdAt)
    }
}

struct CustomerListDTO: ResponseEncodable {
    var items: [CustomerSummaryDTO]
}

struct CustomerDetailDTO: ResponseEncodable {
    var id: UUID
    var name: String
    var email: String
    var phone: String
    var createdAt: Date
    var orders: [OrderDTO]
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
    var byStatus: [StatusCount]
    var byWeek: [WeekBucket]
    var byRegion: [RegionBucket]

    init(_ r: SalesReport) {
        currency = r.currency
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
}
