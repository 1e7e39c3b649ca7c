import Domain
import Foundation
import Storage
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SolarSecurity

/// The installer side of dispatch: profiles, offers, accepting jobs and job progress.
struct DispatchService: Sendable {
    let services: AppServices
    var workflow: OrderWorkflow { OrderWorkflow(services: services) }

    func saveProfile(_ req: InstallerProfileRequest, context: AuthenticatedContext) async throws -> InstallerProfile {
        let centre = GeoPoint(latitude: req.serviceArea.latitude, longitude: req.serviceArea.longitude)
        var v = Validator()
        v.check(centre.isValid, "serviceArea", "latitude must be -90..90 and longitude -180..180")
        v.check(req.serviceArea.radiusKm.isFinite && ServiceArea.radiusRange.contains(req.serviceArea.radiusKm), "serviceArea.radiusKm", "must be 1 to 500")
        v.check(req.certifications.count <= 20, "certifications", "at most 20 entries")
        for (i, c) in req.certifications.enumerated() { v.text(c, "certifications[\(i)]", 1...100) }
        if !v.errors.isEmpty { throw ApiError.validation(v.errors) }
        let now = services.now()
        let profile = InstallerProfile(
            installerID: context.principal.accountID, serviceArea: ServiceArea(centre: centre, radiusKm: req.serviceArea.radiusKm),
            available: req.available, certifications: req.certifications, updatedAt: now
        )
        let audit = AuditContext(context)
        try await services.store.write { db in
            try db.saveInstallerProfile(profile)
            try db.appendAudit(audit.event("installer.profile", at: now, target: ("account", profile.installerID), detail: "available=\(profile.available)"))
        }
        return profile
    }

    /// First installer to accept wins: the offer is claimed with a conditional update and the
    /// order moves `dispatching -> scheduled` in the same transaction; every other offer is
    /// withdrawn. A losing or late installer gets 409.
    func acceptOffer(_ offerID: UUID, context: AuthenticatedContext) async throws -> Order {
        try await ActionLimiter(services: services).check(.acceptOffer, accountKey: context.principal.accountID.uuidString, address: context.clientIP)
        let now = services.now()
        let audit = AuditContext(context)
        let me = context.principal.accountID
        return try await services.store.write { [workflow] db in
            guard let offer = try db.offer(id: offerID) else { throw ApiError.notFound }
            try context.authorize(.acceptOffer, .account(offer.installerID), target: ("offer", offerID))
            // Lock order: the order row first, then its offers (as every other writer does).
            guard try db.lockOrder(id: offer.orderID) else { throw ApiError.notFound }
            guard try db.claimOffer(id: offerID, installerID: me, now: now) else {
                throw ApiError(.conflict, "offer-unavailable", "The offer is no longer open.")
            }
            guard var order = try db.order(id: offer.orderID) else { throw ApiError.notFound }
            order.installerID = me
            order.scheduledDate = order.preferredDate
            try workflow.apply(.assignInstaller, to: &order, db: db, audit: audit, now: now, detail: "offer \(offerID.uuidString.lowercased())")
            return order
        }
    }

    /// The installer turns an offer down; the dispatch sweep offers the order to the next
    /// nearest installers who have not had it. Someone else's offer is 404; a closed one 409.
    func declineOffer(_ offerID: UUID, context: AuthenticatedContext) async throws {
        let now = services.now()
        let audit = AuditContext(context)
        let me = context.principal.accountID
        try await services.store.write { db in
            guard let offer = try db.offer(id: offerID) else { throw ApiError.notFound }
            try context.authorize(.acceptOffer, .account(offer.installerID), target: ("offer", offerID))
            guard try db.lockOrder(id: offer.orderID) else { throw ApiError.notFound }
            guard try db.declineOffer(id: offerID, installerID: me, now: now) else {
                throw ApiError(.conflict, "offer-unavailable", "The offer is no longer open.")
            }
            try db.appendAudit(audit.event("dispatch.offer.decline", at: now, target: ("order", offer.orderID), detail: "offer \(offerID.uuidString.lowercased())"))
        }
    }

    /// Installer reports progress on a job they hold: `scheduled -> in_progress -> completed`.
    func updateJob(_ orderID: UUID, to target: JobStatusRequest.Target, context: AuthenticatedContext) async throws -> Order {
        let now = services.now()
        let audit = AuditContext(context)
        return try await services.store.write { [workflow] db in
            var order = try workflow.load(orderID, for: context, .updateJobStatus, db: db) { $0.installerID }
            try workflow.apply(target == .inProgress ? .startWork : .complete, to: &order, db: db, audit: audit, now: now)
            return order
        }
    }
}
