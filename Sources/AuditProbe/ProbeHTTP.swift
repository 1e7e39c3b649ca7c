import AsyncHTTPClient
public import Foundation
import NIOCore
public import NIOHTTP1

/// One answer from the target, with its body as text (the probe only reads JSON and HTML).
public struct ProbeResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: String

    public func header(_ name: String) -> String? { headers.first(name: name) }
    public var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
    }
    public var problemType: String? { json?["type"] as? String }
    public var isProblem: Bool { header("Content-Type")?.hasPrefix("application/problem+json") ?? false }
}

/// The probe's HTTP client: no redirects followed (a redirect is an answer to check), certificate
/// verification on, short timeouts.
struct ProbeHTTP: Sendable {
    let base: URL
    let client: HTTPClient

    init(base: URL) {
        self.base = base
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: .seconds(30)))
        configuration.decompression = .disabled
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    var origin: String {
        var text = "\(base.scheme ?? "http")://\(base.host ?? "")"
        if let port = base.port { text += ":\(port)" }
        return text
    }

    func send(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: String? = nil,
              bearer: String? = nil, cookie: String? = nil) async throws -> ProbeResponse {
        var request = HTTPClientRequest(url: origin + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let cookie { request.headers.add(name: "Cookie", value: cookie) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 8 << 20)
        return ProbeResponse(status: Int(response.status.code), headers: response.headers, body: String(buffer: buffer))
    }

    func json(_ method: HTTPMethod, _ path: String, _ object: Any, bearer: String? = nil, headers: [(String, String)] = []) async throws -> ProbeResponse {
        let data = try JSONSerialization.data(withJSONObject: object)
        return try await send(method, path, headers: [("Content-Type", "application/json")] + headers,
                              body: String(decoding: data, as: UTF8.self), bearer: bearer)
    }

    /// A form post as a browser on the target's own pages sends it.
    func form(_ path: String, _ fields: [(String, String)], cookie: String? = nil, origin: String? = nil, site: String = "same-origin") async throws -> ProbeResponse {
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send(.POST, path, headers: [("Content-Type", "application/x-www-form-urlencoded"),
                                                     ("Origin", origin ?? self.origin), ("Sec-Fetch-Site", site)],
                              body: body, cookie: cookie)
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    func shutdown() async throws { try await client.shutdown() }
}
