import ArgumentParser
import Foundation
import SolarClient
import SolarKit

struct Signup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create a customer account (password from SOLAR_APP_PASSWORD or stdin).")
    @OptionGroup var connection: Connection
    @Option var email: String
    @Option var name: String
    @Option var phone: String

    func run() async throws {
        let output = try await connection.anonymous().signup(body: .json(.init(email: email, password: try AppHome.password(), name: name, phone: phone)))
        switch output {
        case .accepted: print("check your email to confirm the address; you can log in now")
        case .unprocessableContent(let e): throw fail(try e.body.applicationProblemJson)
        default: throw ExitCode(1)
        }
    }
}

struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Log in (password from SOLAR_APP_PASSWORD or stdin).")
    @OptionGroup var connection: Connection
    @Option var email: String
    @Option(help: "The authenticator code (or a recovery code) when two-factor authentication is on.") var totp: String?
    @Option(help: "The code emailed when this device logs in to the account for the first time.") var emailCode: String?

    func run() async throws {
        let (session, _) = try await connection.session()
        let outcome = try await session.login(email: email, password: try AppHome.password(), totpCode: totp, emailCode: emailCode,
                                              deviceToken: AppHome.deviceToken())
        if let token = await session.lastDeviceToken { try AppHome.keep(deviceToken: token) }
        switch outcome {
        case .emailCodeRequired:
            print("this device is new to the account: a login code was emailed; run again with --email-code")
            throw ExitCode(2)
        case .signedIn: print("logged in as \(email)")
        case .mfaRequired:
            print("two-factor code required: run again with --totp")
            throw ExitCode(2)
        case .enrollmentRequired:
            print("this account must enrol in two-factor authentication first (on the web)")
            throw ExitCode(2)
        }
    }
}

struct Logout: AsyncParsableCommand {
    @OptionGroup var connection: Connection
    func run() async throws {
        let (session, _) = try await connection.session()
        try await session.logout()
        print("logged out")
    }
}

struct Order: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Order an installation; prints its id and quote.")
    @OptionGroup var connection: Connection
    @Option var line1: String
    @Option var city: String
    @Option var region: String
    @Option var postalCode: String
    @Option var country = "ES"
    @Option var latitude: Double
    @Option var longitude: Double
    @Option var sizeKw: Double
    @Option var panels: Int
    @Option(help: "tile, metal, flat or shingle") var roof = "tile"

    func run() async throws {
        let (_, client) = try await connection.session()
        guard let roofType = Components.Schemas.RoofType(rawValue: roof) else { throw ValidationError("unknown roof type") }
        let request = Components.Schemas.CreateOrderRequest(
            address: .init(line1: line1, city: city, region: region, postalCode: postalCode, country: country),
            location: .init(latitude: latitude, longitude: longitude), systemSizeKw: sizeKw, panelCount: panels, roofType: roofType
        )
        switch try await client.createOrder(body: .json(request)) {
        case .created(let created):
            let order = try created.body.json
            print("order \(order.id) \(order.status.rawValue) quote \(order.quote.totalCents) \(order.quote.currency)")
        case .unprocessableContent(let e): throw fail(try e.body.applicationProblemJson)
        default: throw ExitCode(1)
        }
    }
}

struct Accept: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Accept an order's quote.")
    @OptionGroup var connection: Connection
    @Argument var order: String

    func run() async throws {
        let (_, client) = try await connection.session()
        switch try await client.acceptQuote(path: .init(orderId: order)) {
        case .ok(let ok): print("order \(order) \(try ok.body.json.status.rawValue)")
        case .conflict(let e): throw fail(try e.body.applicationProblemJson)
        case .notFound(let e): throw fail(try e.body.applicationProblemJson)
        default: throw ExitCode(1)
        }
    }
}

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show an order's status; --watch until it changes or a timeout.")
    @OptionGroup var connection: Connection
    @Argument var order: String
    @Option(help: "Wait until the status is this one (polls every 2 s).") var until: String?
    @Option var timeout: Int = 60

    func run() async throws {
        let (_, client) = try await connection.session()
        let deadline = Date().addingTimeInterval(TimeInterval(timeout))
        while true {
            guard case .ok(let ok) = try await client.getOrder(path: .init(orderId: order)) else { throw ExitCode(1) }
            let status = try ok.body.json.status.rawValue
            if until == nil || status == until {
                print("order \(order) \(status)")
                return
            }
            guard Date() < deadline else {
                print("order \(order) \(status) (still waiting for \(until ?? ""))")
                throw ExitCode(3)
            }
            try await Task.sleep(for: .seconds(2))
        }
    }
}

struct Availability: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Installer: set the service area and availability.")
    @OptionGroup var connection: Connection
    @Option var latitude: Double
    @Option var longitude: Double
    @Option var radiusKm: Double
    @Flag(inversion: .prefixedNo) var available = true

    func run() async throws {
        let (_, client) = try await connection.session()
        let body = Components.Schemas.InstallerProfileRequest(
            serviceArea: .init(latitude: latitude, longitude: longitude, radiusKm: radiusKm), available: available, certifications: []
        )
        guard case .ok = try await client.putInstallerProfile(body: .json(body)) else { throw ExitCode(1) }
        print("service area set, \(available ? "available" : "not available")")
    }
}

struct Offers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Installer: list open offers.")
    @OptionGroup var connection: Connection

    func run() async throws {
        let (_, client) = try await connection.session()
        guard case .ok(let ok) = try await client.listOffers() else { throw ExitCode(1) }
        for offer in try ok.body.json.items { print("offer \(offer.id) \(offer.area.city) \(offer.distanceKm) km") }
    }
}

struct TakeOffer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "take", abstract: "Installer: accept an offer.")
    @OptionGroup var connection: Connection
    @Argument var offer: String

    func run() async throws {
        let (_, client) = try await connection.session()
        switch try await client.acceptOffer(path: .init(offerId: offer)) {
        case .ok(let ok): print("job \(try ok.body.json.id) scheduled")
        case .conflict(let e): throw fail(try e.body.applicationProblemJson)
        default: throw ExitCode(1)
        }
    }
}
