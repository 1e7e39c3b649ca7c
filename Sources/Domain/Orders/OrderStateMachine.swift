/// The order lifecycle as an explicit state machine:
///
///     requested -> quoted -> accepted -> dispatching -> scheduled -> in_progress -> completed
///
/// with `cancelled` reachable from every state before `in_progress`. Each event either
/// moves to a new state and returns the side effects the caller must perform (in the same
/// database transaction), or is rejected and changes nothing.
public struct OrderStateMachine: Sendable, Equatable {
    /// Something that happened to an order.
    public enum Event: Sendable, Equatable {
        /// The pricing engine produced a quote.
        case quote
        /// The customer accepted the quote.
        case acceptQuote
        /// Offers were sent to nearby installers.
        case beginDispatch
        /// An installer accepted an offer and holds the job.
        case assignInstaller
        /// The installer started work on site.
        case startWork
        /// The installer finished the installation.
        case complete
        /// The customer or support cancelled the order.
        case cancel
    }

    /// What the caller must do after a successful transition.
    public enum Action: Sendable, Equatable {
        case none
        /// Offer the job to the eligible installers nearest to the site.
        case createOffers
        /// Withdraw the order's open offers (an installer won, or the order was cancelled).
        case withdrawOpenOffers
    }

    /// Why an event was refused.
    public struct InvalidTransition: Error, Equatable {
        public let from: OrderStatus
        public let event: Event
    }

    public private(set) var state: OrderStatus

    public init(state: OrderStatus) {
        self.state = state
    }

    /// Applies `event`; on failure `state` is unchanged.
    public mutating func handle(_ event: Event) throws(InvalidTransition) -> Action {
        let (next, action): (OrderStatus, Action)
        switch (state, event) {
        case (.requested, .quote): (next, action) = (.quoted, .none)
        case (.quoted, .acceptQuote): (next, action) = (.accepted, .none)
        case (.accepted, .beginDispatch): (next, action) = (.dispatching, .createOffers)
        case (.dispatching, .assignInstaller): (next, action) = (.scheduled, .withdrawOpenOffers)
        case (.scheduled, .startWork): (next, action) = (.inProgress, .none)
        case (.inProgress, .complete): (next, action) = (.completed, .none)
        case (let current, .cancel) where current.isCancellable: (next, action) = (.cancelled, .withdrawOpenOffers)
        default: throw InvalidTransition(from: state, event: event)
        }
        state = next
        return action
    }

    /// The state `event` would lead to, without changing anything.
    public func target(of event: Event) -> OrderStatus? {
        var copy = self
        return (try? copy.handle(event)).map { _ in copy.state }
    }
}
