import Domain

/// The links of the header and the staff console, derived from the access policy: a role sees
/// the pages it may open. Hiding a link is a courtesy; every page checks the policy itself.
enum WebNavigation {
    struct Link {
        var href: String
        var label: String
        var action: Action
        var description: String
    }

    static let all: [Link] = [
        Link(href: "/dashboard", label: "Installations", action: .listOwnOrders, description: "Your orders and quotes."),
        Link(href: "/orders/new", label: "New installation", action: .createOrder, description: "Order by address and get a quote."),
        Link(href: "/dashboard", label: "Work", action: .listOffers, description: "Offers and jobs."),
        Link(href: "/installer/profile", label: "Service area", action: .manageInstallerProfile, description: "Where and when you work."),
        Link(href: "/staff/customers", label: "Customers", action: .searchCustomers,
             description: "Masked search, reveal with a reason, orders, locks."),
        Link(href: "/staff/sales", label: "Sales", action: .readSalesSummary, description: "The pipeline: orders, revenue, conversion."),
        Link(href: "/staff/break-glass", label: "Break-glass", action: .approveBreakGlass,
             description: "Request or approve time-limited access to customer data."),
        Link(href: "/staff/audit", label: "Audit", action: .readAuditEvents, description: "The audit trail, filtered and redacted."),
        Link(href: "/admin/accounts", label: "Accounts", action: .createAccount, description: "Create staff and installers, change roles."),
        Link(href: "/admin/review", label: "Access review", action: .reviewStaff, description: "Roles, second factors, dormant accounts."),
    ]

    static func allowed(for principal: Principal) -> [Link] {
        all.filter { AccessPolicy.decideRole(principal, $0.action) == .allow }
    }

    /// Header links: the staff console's home first for staff.
    static func links(for principal: Principal) -> [[String: String]] {
        let console: [[String: String]] = principal.role.isStaff && principal.secondFactor ? [["href": "/dashboard", "label": "Console"]] : []
        return console + allowed(for: principal).map { ["href": $0.href, "label": $0.label] }
    }

    /// The staff console's cards.
    static func consoleCards(for principal: Principal) -> [[String: String]] {
        allowed(for: principal).filter { $0.href.hasPrefix("/staff") || $0.href.hasPrefix("/admin") }
            .map { ["href": $0.href, "label": $0.label, "description": $0.description] }
    }
}
