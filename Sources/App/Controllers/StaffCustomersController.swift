import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Storage

/// Support's view of customers: masked by default; the full data only through a reveal with
/// a reason, for that one response, audited. Also account locks.
struct StaffCustomersController {
    let services: AppServices

    func endpoints(_ group: RouterGroup<AuthenticatedContext>) {
        let support = StaffService(services: services)
        // The query (an email or phone) travels in the body, never in the URL (ASVS V14.2.1).
        group.secured(.post, "staff/customer-search", .searchCustomers) { request, context in
            let body = try await request.decodeBody(CustomerSearchRequest.self, context: context)
            let found = try await support.search(body.query, context: context)
            return CustomerListDTO(items: found.map { CustomerSummaryDTO($0.account, city: $0.city) })
        }
        group.secured(.get, "staff/customers/:id", .readCustomer) { _, context in
            let (account, orders) = try await support.detail(try context.uuid("id"), context: context)
            return CustomerDetailDTO(customer: CustomerSummaryDTO(account, city: orders.first?.address.city), orders: orders.map(StaffOrderDTO.init))
        }
        group.secured(.post, "staff/customers/:id/reveal", .revealCustomerPII) { request, context in
            let id = try context.uuid("id")
            let body = try await request.decodeBody(RevealRequest.self, context: context)
            let (account, orders) = try await support.reveal(id, reason: body.reason, ticket: body.ticket, context: context)
            return RevealedCustomerDTO(id: account.id, name: account.name, email: account.email, phone: account.phone,
                                       sites: orders.map { .init(orderId: $0.id, address: $0.address) })
        }
        for (path, locking) in [("lock", true), ("unlock", false)] {
            group.secured(.post, "staff/accounts/:id/\(path)", .lockAccount) { _, context in
                try await support.setLock(try context.uuid("id"), locked: locking, context: context)
                return Response(status: .noContent)
            }
        }
    }
}
