import Foundation
import Outbound

extension OutboundClient {
    /// One Pwned Passwords range (k-anonymity: the URL carries five hex characters of the
    /// SHA-1), through the outbound client. Anything but a 200 is a failure.
    func pwnedRange(_ url: URL) async throws -> String {
        let response = try await send(OutboundRequest(url: url.absoluteString, headers: [("Add-Padding", "true"), ("User-Agent", "SolarDispatch")]))
        guard response.status == 200 else { throw OutboundError.failed("status \(response.status)") }
        return String(decoding: response.body, as: UTF8.self)
    }
}
