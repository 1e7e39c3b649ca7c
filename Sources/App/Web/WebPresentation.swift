import Domain
import Foundation

/// How orders, statuses and choices read on the web pages.
enum WebPresentation {
    static func statusLabel(_ status: OrderStatus) -> String {
        switch status {
        case .requested: "Requested"
        case .quoted: "Quote ready"
        case .accepted: "Waiting for the deposit"
        case .dispatching: "Finding an installer"
        case .scheduled: "Scheduled"
        case .inProgress: "Installing"
        case .completed: "Completed"
        case .cancelled: "Cancelled"
        }
    }

    static func roofLabel(_ roof: RoofType) -> String {
        switch roof {
        case .asphaltShingle: "Asphalt shingle"
        case .metal: "Metal"
        case .tile: "Tile"
        case .slate: "Slate"
        case .flat: "Flat"
        }
    }

    /// The countries the offline geocoder knows, Spain first.
    static let countries: [(code: String, name: String)] = [
        ("ES", "Spain"), ("PT", "Portugal"), ("FR", "France"), ("IT", "Italy"), ("DE", "Germany"), ("GB", "United Kingdom"),
        ("IE", "Ireland"), ("NL", "Netherlands"), ("BE", "Belgium"), ("AT", "Austria"), ("CH", "Switzerland"),
    ]

    static func countryChoices(selected: String?) -> [[String: Any]] {
        let chosen = selected ?? "ES"
        return countries.map { ["code": $0.code, "name": $0.name, "selected": $0.code == chosen] }
    }

    /// The lifecycle as a customer follows it: done, current and coming steps.
    static let lifecycle: [OrderStatus] = [.quoted, .accepted, .dispatching, .scheduled, .inProgress, .completed]

    static func timeline(_ order: Order) -> [[String: Any]] {
        let position = lifecycle.firstIndex(of: order.status)
        return lifecycle.enumerated().map { index, step in
            let state: String
            if order.status == .cancelled { state = "todo" }
            else if let position { state = index < position ? "done" : index == position ? "current" : "todo" }
            else { state = "todo" }
            var item: [String: Any] = ["label": statusLabel(step), "state": state, "current": state == "current"]
            if step == .quoted { item["note"] = WebSupport.day(order.createdAt) }
            if step == .scheduled, let date = order.scheduledDate { item["note"] = date.description }
            return item
        }
    }

    /// The order as the customer's page shows it.
    static func customerOrder(_ order: Order) -> [String: Any] {
        [
            "id": order.id.uuidString.lowercased(), "short": WebSupport.short(order.id), "status": order.status.rawValue,
            "statusLabel": statusLabel(order.status), "timeline": timeline(order), "cancelled": order.status == .cancelled,
            "line1": order.address.line1, "line2": order.address.line2 ?? "", "city": order.address.city, "region": order.address.region,
            "postalCode": order.address.postalCode, "country": order.address.country,
            "size": String(order.spec.systemSizeKw), "panels": order.spec.panelCount, "roof": roofLabel(order.spec.roofType),
            // Absent values are left out: mustache would print an optional wrapped in `Any`.
            "preferred": order.preferredDate?.description ?? "", "scheduled": order.scheduledDate?.description ?? "",
            "notes": order.notes ?? "",
            "lines": order.quote.lines.map { ["description": $0.description, "amount": WebSupport.money($0.amountCents, order.quote.currency)] },
            "total": WebSupport.money(order.quote.totalCents, order.quote.currency),
            "canAccept": order.status == .quoted, "canCancel": order.status.isCancellable,
            "deposit": WebSupport.money(DepositPolicy.depositCents(forQuoteTotal: order.quote.totalCents), order.quote.currency),
            "awaitingDeposit": order.status == .accepted,
        ]
    }
}
