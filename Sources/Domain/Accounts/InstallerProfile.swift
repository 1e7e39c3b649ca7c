public import Foundation

/// Where an installer works, whether they take jobs now, and what they are certified for.
public struct InstallerProfile: Sendable, Equatable {
    public var installerID: UUID
    public var serviceArea: ServiceArea
    public var available: Bool
    public var certifications: [String]
    public var updatedAt: Date

    public init(installerID: UUID, serviceArea: ServiceArea, available: Bool, certifications: [String], updatedAt: Date) {
        self.installerID = installerID
        self.serviceArea = serviceArea
        self.available = available
        self.certifications = certifications
        self.updatedAt = updatedAt
    }
}

/// A circle on the earth: the centre and radius an installer serves.
public struct ServiceArea: Sendable, Equatable {
    public var centre: GeoPoint
    public var radiusKm: Double

    public init(centre: GeoPoint, radiusKm: Double) {
        self.centre = centre
        self.radiusKm = radiusKm
    }

    /// Allowed radius in kilometres.
    public static let radiusRange: ClosedRange<Double> = 1...500

    public func contains(_ point: GeoPoint) -> Bool {
        centre.distanceKm(to: point) <= radiusKm
    }
}
