import ArgumentParser
import Foundation
import OpenAPIRuntime
import OpenAPIURLSession
import SolarClient
import SolarKit

/// `solar-app`: a terminal client for customers and installers, built only on SolarKit. The
/// session lives in an encrypted token file (`SOLAR_APP_HOME`, default ~/.solar-app); passwords
/// come from `SOLAR_APP_PASSWORD` or standard input, never from the command line.
@main
struct SolarApp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solar-app",
        abstract: "SolarDispatch for customers and installers, in the terminal.",
        subcommands: [Signup.self, Login.self, Logout.self, Order.self, Accept.self, Status.self, Availability.self, Offers.self, TakeOffer.self]
    )
}

struct Connection: ParsableArguments {
    @Option(help: "The server (or SOLAR_SERVER).") var server: String = ProcessInfo.processInfo.environment["SOLAR_SERVER"] ?? "http://127.0.0.1:8080"
    @Option(help: "A pinned SPKI SHA-256 (base64) of the server's key; repeat for a backup pin. Required for https.") var pin: [String] = []

    var url: URL { get throws { guard let url = URL(string: server), url.host != nil else { throw ValidationError("--server must be a URL") }; return url } }

    func transport() throws -> any ClientTransport {
        let url = try url
        if url.scheme == "https" {
            guard !pin.isEmpty else { throw ValidationError("https needs at least one --pin") }
            return PinnedTransport(pins: Set(pin))
        }
        guard ["127.0.0.1", "localhost", "::1"].contains(url.host ?? "") else { throw ValidationError("plain http only to this machine; use https with --pin") }
        return URLSessionTransport()
    }

    func session() async throws -> (SolarSession, Client) {
        let session = SolarSession(serverURL: try url, transport: try transport(), store: try AppHome.store())
        _ = try await session.restore()
        return (session, session.client(serverURL: try url, transport: try transport()))
    }

    func anonymous() throws -> Client { Client(serverURL: try url, transport: try transport()) }
}

enum AppHome {
    static var folder: URL {
        URL(fileURLWithPath: ProcessInfo.processInfo.environment["SOLAR_APP_HOME"] ?? (NSHomeDirectory() + "/.solar-app"))
    }

    /// The token file, sealed with a key from SOLAR_APP_KEY (base64) or a key file made once (0600).
    static func store() throws -> EncryptedFileTokenStore {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let keyText: String
        if let env = ProcessInfo.processInfo.environment["SOLAR_APP_KEY"] {
            keyText = env
        } else {
            let keyFile = folder.appendingPathComponent("key").path
            if !FileManager.default.fileExists(atPath: keyFile) {
                let bytes = (0..<32).map { _ in UInt8.random(in: 0...255) }
                guard FileManager.default.createFile(atPath: keyFile, contents: Data(Data(bytes).base64EncodedString().utf8),
                                                     attributes: [.posixPermissions: 0o600]) else { throw ValidationError("cannot create \(keyFile)") }
            }
            keyText = try String(contentsOfFile: keyFile, encoding: .utf8)
        }
        return try EncryptedFileTokenStore(path: folder.appendingPathComponent("tokens").path, key: EncryptedFileTokenStore.key(base64: keyText))
    }

    /// The trusted-device token of the last login (0600, kept across logouts): with it the
    /// server knows this device and does not email a login code again.
    static func deviceToken() -> String? {
        (try? String(contentsOf: folder.appendingPathComponent("device-token"), encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func keep(deviceToken: String) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let path = folder.appendingPathComponent("device-token").path
        guard FileManager.default.createFile(atPath: path, contents: Data(deviceToken.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write \(path)")
        }
    }

    static func password() throws -> String {
        if let p = ProcessInfo.processInfo.environment["SOLAR_APP_PASSWORD"] { return p }
        guard let line = readLine(strippingNewline: true), !line.isEmpty else { throw ValidationError("give the password on standard input or in SOLAR_APP_PASSWORD") }
        return line
    }
}

/// Prints an API error the way the app shows it.
func fail(_ problem: Components.Schemas.Problem) -> ExitCode {
    let p = SolarProblem(problem)
    print("error: \(p.userMessage) (\(p.kind), request \(p.requestID ?? "-"))")
    return ExitCode(1)
}
