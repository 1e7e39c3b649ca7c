public import Domain
public import Geocoding
public import Foundation
public import Logging
public import Outbound
import SMTP
public import SolarSecurity
public import Storage
import HTTPTypes
import Hummingbird
import NIOCore

/// The application's dependencies as plain values, so tests can replace any of them
/// (for example the clock).
public struct AppServices: Sendable {
    public var config: AppConfig
    public var store: any Store
    public var hasher: PasswordHasher
    public var now: @Sendable () -> Date
    public var pricing: PricingRules
    public var planner: DispatchPlanner
    public var logger: Logger
    /// The audit stream for the external log store (checkpoints; events go through the store's `onAudit`).
    public var auditLog: Logger
    /// Field encryption (TOTP secrets, outbox contents).
    public var cipher: FieldCipher
    public var breached: BreachedPasswords
    /// Deposits (a simulated provider until a real one is integrated).
    public var payments: any PaymentProvider
    /// The one client for calls out of the platform (allow-list, public addresses, pinned).
    public var outbound: OutboundClient
    public var mailer: any MailSender
    public var metrics: SecurityMetrics
    /// The blind-index key's HMAC, here for the login-throttle keys.
    public var blindIndex: BlindIndex
    /// Address → coordinates for orders and service areas placed by address.
    public var geocoder: any Geocoder
    /// Error answers that are security events (cross-site, webhooks, throttling, invalid bursts).
    let securityEvents = SecurityEvents()

    public init(
        config: AppConfig, store: any Store, hasher: PasswordHasher, cipher: FieldCipher, mailer: (any MailSender)? = nil,
        breached: BreachedPasswords? = nil, metrics: SecurityMetrics = SecurityMetrics(), geocoder: (any Geocoder)? = nil,
        blindIndex: BlindIndex? = nil, outbound: OutboundClient? = nil, payments: (any PaymentProvider)? = nil,
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger, auditLog: Logger? = nil
    ) {
        self.metrics = metrics
        self.geocoder = geocoder ?? BundledGeocoder()
        // Tests that do not care get a random key; `makeServices` passes the configured one.
        self.blindIndex = blindIndex ?? BlindIndex(base64: BlindIndex.generateKey())!
        self.config = config
        self.store = store
        self.hasher = hasher
        self.cipher = cipher
        self.mailer = mailer ?? config.smtp.map { SMTPMailSender(client: SMTPClient(configuration: $0)) } ?? FileMailSink(directory: config.mailDirectory)
        let outbound = outbound ?? OutboundClient(policy: OutboundPolicy(allowedHosts: config.outboundAllowedHosts))
        self.outbound = outbound
        self.payments = payments ?? SimulatedPaymentProvider()
        self.breached = breached ?? BreachedPasswords(
            mode: BreachedPasswords.Mode(rawValue: config.pwnedPasswords) ?? .off, baseURL: URL(string: config.pwnedPasswordsURL)!,
            fetch: { url in try await outbound.pwnedRange(url) },
            report: { [logger, metrics] error in
                logger.warning("breached-password service failed", metadata: ["error": .string(String(describing: error))])
                metrics.internalFailure("breached_passwords")
            }
        )
        self.now = now
        self.pricing = PricingRules()
        self.planner = DispatchPlanner(maxOffers: config.maxOffersPerOrder, offerTTL: config.offerTTL)
        self.logger = logger
        self.auditLog = auditLog ?? AuditStream.logger()
    }
}

/// Who did something, from where, in which request: the common part of every audit event.
struct AuditContext: Sendable {
    var actor: Principal?
    var clientIP: String?
    var requestID: String?

    init(actor: Principal?, clientIP: String?, requestID: String?) {
        (self.actor, self.clientIP, self.requestID) = (actor, clientIP, requestID)
    }

    init(_ context: AppRequestContext) {
        (actor, clientIP, requestID) = (context.principal, context.clientIP, context.requestID)
    }

    init(_ context: AuthenticatedContext) {
        (actor, clientIP, requestID) = (context.principal, context.clientIP, context.requestID)
    }

    func event(
        _ action: String, at time: Date, target: (type: String, id: UUID?)? = nil, outcome: AuditOutcome = .success,
        actor override: Principal? = nil, detail: String? = nil
    ) -> AuditEvent {
        let who = override ?? actor
        return AuditEvent(
            occurredAt: time, actorID: who?.accountID, actorRole: who?.role, action: action,
            targetType: target?.type, targetID: target?.id, outcome: outcome,
            clientIP: clientIP, requestID: requestID, detail: detail.map { String($0.prefix(600)) }
        )
    }
}

/// The offline geocoder over the dataset shipped in the resources, read once per process.
/// `makeServices` loads it before the server starts, so a missing file stops the start.
struct BundledGeocoder: Geocoder {
    static let shared = Result { try OfflineGeocoder.bundled() }

    func locate(_ query: GeocodeQuery) async throws -> GeocodedPlace? {
        try await Self.shared.get().locate(query)
    }
}
