import Hummingbird
import NIOCore
import Domain
import Foundation
import HTTPTypes
import Logging
import SolarSecurity
import Storage

/// Liveness, readiness and the API contract.
struct HealthController {
    let services: AppServices

    func endpoints(_ router: Router<AppRequestContext>) {
        router.get("health/live") { _, _ in HealthDTO(status: "live") }
        router.get("health/ready") { _, _ in
            do {
                try await services.store.ping()
            } catch {
                throw ApiError(.serviceUnavailable, "not-ready", "The database is not reachable.")
            }
            return HealthDTO(status: "ready")
        }
        router.get("openapi.yaml") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/yaml"],
                body: .init(byteBuffer: ByteBuffer(bytes: PackageResources.openapi_yaml))
            )
        }
    }
}
