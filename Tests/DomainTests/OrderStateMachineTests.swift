import Domain
import Testing

@Suite("Order state machine")
struct OrderStateMachineTests {
    typealias Event = OrderStateMachine.Event
    static let events: [Event] = [.quote, .acceptQuote, .beginDispatch, .assignInstaller, .startWork, .complete, .cancel]

    /// The complete transition table: every (state, event) pair not listed is rejected.
    static let allowed: [OrderStatus: [Event: (OrderStatus, OrderStateMachine.Action)]] = [
        .requested: [.quote: (.quoted, .none), .cancel: (.cancelled, .withdrawOpenOffers)],
        .quoted: [.acceptQuote: (.accepted, .none), .cancel: (.cancelled, .withdrawOpenOffers)],
        .accepted: [.beginDispatch: (.dispatching, .createOffers), .cancel: (.cancelled, .withdrawOpenOffers)],
        .dispatching: [.assignInstaller: (.scheduled, .withdrawOpenOffers), .cancel: (.cancelled, .withdrawOpenOffers)],
        .scheduled: [.startWork: (.inProgress, .none), .cancel: (.cancelled, .withdrawOpenOffers)],
        .inProgress: [.complete: (.completed, .none)],
        .completed: [:],
        .cancelled: [:],
    ]

    @Test("every state and event pair behaves as the table says", arguments: OrderStatus.allCases)
    func table(_ state: OrderStatus) throws {
        for event in Self.events {
            var machine = OrderStateMachine(state: state)
            if let (next, action) = Self.allowed[state]?[event] {
                #expect(try machine.handle(event) == action)
                #expect(machine.state == next)
            } else {
                #expect(throws: OrderStateMachine.InvalidTransition.self) { try machine.handle(event) }
                #expect(machine.state == state, "a rejected event must not change the state")
            }
        }
    }

    @Test("cancellation is possible exactly before work starts")
    func cancellable() {
        let before: Set<OrderStatus> = [.requested, .quoted, .accepted, .dispatching, .scheduled]
        for state in OrderStatus.allCases {
            #expect(OrderStateMachine(state: state).target(of: .cancel) == (before.contains(state) ? .cancelled : nil))
        }
    }

    @Test("the happy path walks requested to completed")
    func happyPath() throws {
        var machine = OrderStateMachine(state: .requested)
        for event in [Event.quote, .acceptQuote, .beginDispatch, .assignInstaller, .startWork, .complete] {
            _ = try machine.handle(event)
        }
        #expect(machine.state == .completed)
    }
}
