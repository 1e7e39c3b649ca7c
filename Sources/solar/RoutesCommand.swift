import App
import ArgumentParser
import Foundation
import HTTPTypes
import Hummingbird
import Storage

/// Lists the routes the server registers (API and web), built by the same `buildRouter` as
/// `solar serve`: the authorization matrix check compares it with authorization-matrix.yaml.
struct Routes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print every route the server registers, one `METHOD /path` per line.",
        discussion: "Opens the configured database like `serve` (it must be migrated) but starts no listener."
    )

    func run() async throws {
        let (config, logger) = try loadConfig()
        let services = try await makeServices(config: config, logger: logger)
        let routes = try buildRouter(services: services).routes
        try await services.store.shutdown()
        let lines = Set(routes.map { "\($0.method.rawValue) \($0.path.description.hasPrefix("/") ? "" : "/")\($0.path)" })
        lines.sorted().forEach { print($0) }
    }
}
