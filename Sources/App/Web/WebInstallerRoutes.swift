import Domain
import Foundation
import Geocoding
import HTTPTypes
import Hummingbird
import Storage

/// The installer portal: service area (a city or postal code plus a radius), availability and
/// certifications; offers with the coarse area only; accept or decline; jobs with the full
/// address only while held; progress updates.
struct WebInstallerRoutes {
    let controller: WebController
    var web: WebSupport { controller.web }
    var services: AppServices { controller.services }
    var dispatch: DispatchService { DispatchService(services: services) }

    struct ProfileForm: Decodable, Sendable {
        var city: String; var postalCode: String?; var country: String; var radiusKm: String
        var available: String?; var certifications: [String]?
    }
    struct JobForm: Decodable, Sendable { var status: String }

    /// Certifications offered as choices; any others already on a profile stay listed.
    static let certificationCatalogue = [
        "Low-voltage electrical (REBT)", "Working at height", "Roof mounting", "Battery storage", "EV charging",
    ]

    func endpoints(_ pages: RouterGroup<AuthenticatedContext>) {
        pages.page("installer/profile", .manageInstallerProfile) { _, caller in
            let me = caller.principal.accountID
            let profile = try await services.store.read { db in try db.installerProfile(installerID: me) }
            let form = ["radiusKm": profile.map { String(Int($0.serviceArea.radiusKm)) } ?? "30", "available": (profile?.available ?? true) ? "true" : ""]
            return try await profilePage(caller, profile: profile, form: form, certifications: profile?.certifications ?? [], country: nil, errors: [:], status: .ok)
        }
        pages.form("installer/profile", .manageInstallerProfile, ProfileForm.self) { form, _, caller in
            let chosen = (form.certifications ?? []).filter { !$0.isEmpty }
            let values = ["city": form.city, "postalCode": form.postalCode ?? "", "radiusKm": form.radiusKm, "available": form.available == "true" ? "true" : ""]
            var errors: [String: String] = [:]
            let radius = Double(form.radiusKm.trimmingCharacters(in: .whitespaces))
            if radius == nil { errors["radiusKm"] = "Enter the radius in whole kilometres, 1 to 500." }
            let place = try await services.geocoder.locate(GeocodeQuery(city: form.city, postalCode: form.postalCode ?? "", country: form.country.uppercased()))
            if place == nil { errors["city"] = "We could not find this city or postal code; check the spelling or try the nearest town." }
            if errors.isEmpty, let place, let radius {
                let request = InstallerProfileRequest(
                    serviceArea: ServiceAreaDTO(latitude: place.latitude, longitude: place.longitude, radiusKm: radius),
                    available: form.available == "true", certifications: chosen
                )
                do {
                    _ = try await dispatch.saveProfile(request, context: caller)
                    return web.redirect("/dashboard")
                } catch let error as ApiError where error.status == .unprocessableContent {
                    errors = WebSupport.fieldErrors(error.fieldErrors)
                }
            }
            let me = caller.principal.accountID
            let profile = try await services.store.read { db in try db.installerProfile(installerID: me) }
            return try await profilePage(caller, profile: profile, form: values, certifications: chosen, country: form.country, errors: errors, status: .unprocessableContent)
        }
        pages.form("installer/offers/:id/accept", .acceptOffer, CSRFField.self) { _, _, caller in
            _ = try await dispatch.acceptOffer(try caller.uuid("id"), context: caller)
            return web.redirect("/dashboard")
        }
        pages.form("installer/offers/:id/decline", .acceptOffer, CSRFField.self) { _, _, caller in
            try await dispatch.declineOffer(try caller.uuid("id"), context: caller)
            return web.redirect("/dashboard")
        }
        pages.form("installer/jobs/:id/status", .updateJobStatus, JobForm.self) { form, _, caller in
            guard let target = JobStatusRequest.Target(rawValue: form.status) else { throw ApiError.malformedBody }
            _ = try await dispatch.updateJob(try caller.uuid("id"), to: target, context: caller)
            return web.redirect("/dashboard")
        }
    }

    func profilePage(_ caller: AuthenticatedContext, profile: InstallerProfile?, form: [String: String], certifications: [String], country: String?,
                     errors: [String: String], status: HTTPResponse.Status) async throws -> Response {
        var values = web.frame(caller, account: try await controller.account(caller), title: "Service area and availability",
                               error: errors.isEmpty ? nil : "Please check the highlighted fields.")
        values["form"] = form
        values["errors"] = errors
        values["countries"] = WebPresentation.countryChoices(selected: country)
        let all = Self.certificationCatalogue + (profile?.certifications ?? []).filter { !Self.certificationCatalogue.contains($0) }
        values["certifications"] = all.map { ["value": $0, "label": $0, "checked": certifications.contains($0)] }
        values["current"] = profile.map { Self.area($0) }
        return try web.page("installer/profile", values, status: status)
    }

    static func area(_ p: InstallerProfile) -> String {
        String(format: "%.3f, %.3f, radius %d km", p.serviceArea.centre.latitude, p.serviceArea.centre.longitude, Int(p.serviceArea.radiusKm))
    }

    /// The installer's dashboard: open offers (coarse area only) and jobs.
    /// The policy decides, as for the API's offers and jobs: an installer who has not enrolled
    /// TOTP yet is sent to enrol (`mfaEnrollmentRequired`).
    func dashboard(_ caller: AuthenticatedContext) async throws -> Response {
        try caller.requireRole(for: .listOffers)
        try caller.requireRole(for: .listJobs)
        let me = caller.principal.accountID
        let now = services.now()
        let (profile, offers, jobs) = try await services.store.read { db in
            (try db.installerProfile(installerID: me), try db.openOffers(installerID: me, now: now), try db.orders(installerID: me, limit: 100))
        }
        var values = web.frame(caller, account: try await controller.account(caller), title: "Your work")
        values["profile"] = profile.map { p -> [String: Any] in
            ["radius": Int(p.serviceArea.radiusKm), "centre": String(format: "%.3f, %.3f", p.serviceArea.centre.latitude, p.serviceArea.centre.longitude),
             "available": p.available]
        }
        values["hasOffers"] = !offers.isEmpty
        values["offers"] = offers.map { offer, order in
            let dto = OfferDTO(offer, order)
            return ["id": offer.id.uuidString.lowercased(), "city": dto.area.city, "postalPrefix": dto.area.postalCodePrefix,
                    "distance": String(format: "%.1f", offer.distanceKm), "size": String(order.spec.systemSizeKw), "panels": order.spec.panelCount,
                    "roof": WebPresentation.roofLabel(order.spec.roofType), "total": WebSupport.money(order.quote.totalCents, order.quote.currency),
                    "expires": WebSupport.minute(offer.expiresAt)] as [String: Any]
        }
        let installer = InstallerController(services: services)
        var rows: [[String: Any]] = []
        for order in jobs {
            let job = try await installer.job(order)
            let next: [String: String]? = switch order.status {
            case .scheduled: ["value": "in_progress", "label": "Start work"]
            case .inProgress: ["value": "completed", "label": "Mark completed"]
            default: nil
            }
            let site = job.address.map { "\($0.line1)\($0.line2.map { ", " + $0 } ?? ""), \($0.postalCode) \($0.city)" } ?? "\(job.area.city), \(job.area.postalCodePrefix)…"
            let contact = job.customerFirstName.map { "\($0) · \(job.customerPhone ?? "")" } ?? "-"
            var row: [String: Any] = [
                "id": order.id.uuidString.lowercased(), "site": site, "contact": contact, "size": String(order.spec.systemSizeKw),
                "panels": order.spec.panelCount, "status": order.status.rawValue, "statusLabel": WebPresentation.statusLabel(order.status),
                "date": order.scheduledDate?.description ?? "to agree",
            ]
            if let next { row["next"] = next }
            rows.append(row)
        }
        values["hasJobs"] = !rows.isEmpty
        values["jobs"] = rows
        values["accessDays"] = services.config.installerAccessDaysAfterCompletion
        return try web.page("installer/dashboard", values)
    }
}
