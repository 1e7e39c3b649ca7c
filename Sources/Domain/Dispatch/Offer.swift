public import Foundation

/// The state of one offer of a job to one installer.
public enum OfferStatus: String, Sendable, Codable, CaseIterable {
    case open
    case accepted
    case expired
    case withdrawn
}

/// A job offered to an installer until `expiresAt`; the first installer to accept wins.
public struct Offer: Sendable, Equatable {
    public var id: UUID
    public var orderID: UUID
    public var installerID: UUID
    public var status: OfferStatus
    public var distanceKm: Double
    public var createdAt: Date
    public var expiresAt: Date

    public init(id: UUID, orderID: UUID, installerID: UUID, status: OfferStatus, distanceKm: Double, createdAt: Date, expiresAt: Date) {
        self.id = id
        self.orderID = orderID
        self.installerID = installerID
        self.status = status
        self.distanceKm = distanceKm
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
