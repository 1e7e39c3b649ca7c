import Domain
import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import SolarSecurity
import Storage

/// Installer routes under `/api/v1/installer`.
struct InstallerController {
    let services: AppServices
    var dispatch: DispatchService { DispatchService(services: services) }

    /// The installer's view of a job, with the site only inside the access window.
    func job(_ order: Order) async throws -> JobDTO {
        let now = services.now()
        let days = services.config.installerAccessDaysAfterCompletion
        let customer = JobDTO.revealsSite(order, now: now, daysAfterCompletion: days)
            ? try await services.store.read { db in try db.account(id: order.customerID) } : nil
        return JobDTO(order, customer: customer, now: now, daysAfterCompletion: days)
    }

    func endpoints(_ group: RouterGroup<AuthenticatedContext>) {
        group.secured(.put, "installer/profile", .manageInstallerProfile) { request, context in
            let body = try await request.decodeBody(InstallerProfileRequest.self, context: context)
            return InstallerProfileDTO(try await dispatch.saveProfile(body, context: context))
        }
        group.secured(.get, "installer/profile", .manageInstallerProfile) { _, context in
            let me = context.principal.accountID
            guard let profile = try await services.store.read({ db in try db.installerProfile(installerID: me) }) else {
                throw ApiError.notFound
            }
            return InstallerProfileDTO(profile)
        }
        group.secured(.get, "installer/offers", .listOffers) { _, context in
            let me = context.principal.accountID
            let now = services.now()
            let offers = try await services.store.read { db in try db.openOffers(installerID: me, now: now) }
            return OfferListDTO(items: offers.map { OfferDTO($0.0, $0.1) })
        }
        group.securedIdempotent(.post, "installer/offers/:id/accept", .acceptOffer, idempotency: IdempotencyService(services: services)) { _, context in
            try await job(try await dispatch.acceptOffer(try context.uuid("id"), context: context))
        }
        group.secured(.get, "installer/jobs", .listJobs) { _, context in
            let me = context.principal.accountID
            let jobs = try await services.store.read { db in try db.orders(installerID: me, limit: 100) }
            var items: [JobDTO] = []
            for order in jobs { items.append(try await job(order)) }
            return JobListDTO(items: items)
        }
        group.secured(.post, "installer/jobs/:id/status", .updateJobStatus) { request, context in
            let body = try await request.decodeBody(JobStatusRequest.self, context: context)
            return try await job(try await dispatch.updateJob(try context.uuid("id"), to: body.status, context: context))
        }
    }
}
