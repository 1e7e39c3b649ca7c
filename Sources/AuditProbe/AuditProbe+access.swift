import Foundation
import NIOHTTP1

extension AuditProbe {
    static let privilegedTags: Set<String> = ["staff", "admin", "installer"]

    /// Every operation of the contract that is not public refuses a caller without a session.
    func unauthenticated(_ contract: Contract, _ report: inout ProbeReport) async throws {
        var open: [String] = [], checked = 0
        for op in contract.operations where !op.isPublic {
            let r = try await http.send(HTTPMethod(rawValue: op.method), Contract.concrete(op.path),
                                        headers: op.hasBody ? [("Content-Type", "application/json")] : [], body: op.hasBody ? "{}" : nil)
            checked += 1
            if r.status != 401 { open.append("\(op.method) \(op.path) → \(r.status)") }
        }
        report.record("A01", "every non-public operation needs a session", open.isEmpty && checked > 0,
                      open.isEmpty ? "\(checked) operations answered 401" : open.joined(separator: "; "))
    }

    /// A customer gets 403 on every staff, admin and installer operation.
    func wrongRole(_ contract: Contract, _ customer: Customer, _ report: inout ProbeReport) async throws {
        var allowed: [String] = [], checked = 0
        for op in contract.operations where !op.isPublic && !Self.privilegedTags.isDisjoint(with: op.tags) {
            let r = try await http.send(HTTPMethod(rawValue: op.method), Contract.concrete(op.path),
                                        headers: op.hasBody ? [("Content-Type", "application/json")] : [], body: op.hasBody ? "{}" : nil,
                                        bearer: customer.token)
            checked += 1
            if r.status != 403 { allowed.append("\(op.method) \(op.path) → \(r.status)") }
        }
        report.record("A01", "a customer is refused every staff, admin and installer operation", allowed.isEmpty && checked > 0,
                      allowed.isEmpty ? "\(checked) operations answered 403" : allowed.joined(separator: "; "))
    }

    /// Another customer's order looks exactly like one that does not exist, and cannot be changed.
    func ownership(_ a: Customer, _ b: Customer, _ report: inout ProbeReport) async throws {
        let created = try await http.json(.POST, "/api/v1/orders", Self.order, bearer: a.token)
        guard created.status == 201, let id = created.json?["id"] as? String else {
            report.record("A01", "cross-customer access to an order", false, "could not create an order (\(created.status))")
            return
        }
        let theirs = try await http.send(.GET, "/api/v1/orders/\(id)", bearer: b.token)
        let missing = try await http.send(.GET, "/api/v1/orders/\(UUID().uuidString.lowercased())", bearer: b.token)
        let same = theirs.status == 404 && missing.status == 404 && theirs.problemType == missing.problemType
            && (theirs.json?["title"] as? String) == (missing.json?["title"] as? String) && !theirs.body.lowercased().contains(id.lowercased())
        report.record("A01", "another customer's order answers like a missing one", same, "theirs \(theirs.status), random id \(missing.status)")
        let listed = try await http.send(.GET, "/api/v1/orders", bearer: b.token)
        report.record("A01", "another customer's order is not in the list", listed.status == 200 && !listed.body.lowercased().contains(id.lowercased()),
                      "list answered \(listed.status)")
        let cancel = try await http.send(.POST, "/api/v1/orders/\(id)/cancel", bearer: b.token)
        let after = try await http.send(.GET, "/api/v1/orders/\(id)", bearer: a.token)
        report.record("A01", "another customer cannot cancel the order", cancel.status == 404 && (after.json?["status"] as? String) == "quoted",
                      "cancel answered \(cancel.status); the order is \(after.json?["status"] as? String ?? "?")")
        // Leave nothing behind: the owner cancels; a second cancel is an invalid state change.
        let own = try await http.send(.POST, "/api/v1/orders/\(id)/cancel", bearer: a.token)
        let again = try await http.send(.POST, "/api/v1/orders/\(id)/cancel", bearer: a.token)
        report.record("A04", "an invalid state change answers 409", own.status == 200 && again.status == 409, "cancel \(own.status), again \(again.status)")
    }

    static var order: [String: Any] { [
        "address": ["line1": "Calle de Alcala 42", "city": "Madrid", "region": "Madrid", "postalCode": "28014", "country": "ES"],
        "location": ["latitude": 40.4168, "longitude": -3.7038], "systemSizeKw": 6.5, "panelCount": 16, "roofType": "tile",
    ] }
}
