/// Where an order is in its lifecycle. Raw values are what the API and the database store.
public enum OrderStatus: String, Sendable, Codable, CaseIterable {
    case requested
    case quoted
    case accepted
    case dispatching
    case scheduled
    case inProgress = "in_progress"
    case completed
    case cancelled

    /// Cancellation is allowed from every state before work starts.
    public var isCancellable: Bool {
        switch self {
        case .requested, .quoted, .accepted, .dispatching, .scheduled: true
        case .inProgress, .completed, .cancelled: false
        }
    }
}
