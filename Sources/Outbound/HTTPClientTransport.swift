import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// The real transport: async-http-client, one client per call, so the pinned address
/// (`dnsOverride`: connect to the vetted IP, verify the certificate for the host name) applies
/// to this call only. No proxy, no redirects, no decompression; connect and total deadlines; the
/// body is read up to the policy's cap.
public struct HTTPClientTransport: OutboundTransport {
    public init() {}

    public func send(_ request: OutboundRequest, to target: OutboundClient.Target, policy: OutboundPolicy) async throws(OutboundError) -> OutboundResponse {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .init(policy.connectTimeout), read: .init(policy.totalTimeout)),
            proxy: nil,
            decompression: .disabled
        )
        configuration.dnsOverride = [target.host: target.address]
        configuration.connectionPool = .init(idleTimeout: .seconds(1), concurrentHTTP1ConnectionsPerHostSoftLimit: 1)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let result: Result<OutboundResponse, OutboundError>
        do {
            var outgoing = HTTPClientRequest(url: request.url)
            outgoing.method = HTTPMethod(rawValue: request.method)
            for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
            if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
            let response = try await client.execute(outgoing, deadline: .now() + .init(policy.totalTimeout))
            var body = try await response.body.collect(upTo: policy.maxResponseBytes)
            let bytes = body.readBytes(length: body.readableBytes) ?? []
            result = .success(OutboundResponse(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: bytes))
        } catch is NIOTooManyBytesError {
            result = .failure(.responseTooLarge)
        } catch let error as HTTPClientError where [.deadlineExceeded, .readTimeout, .connectTimeout].contains(error) {
            result = .failure(.timedOut)
        } catch {
            result = .failure(.failed(String(describing: type(of: error))))
        }
        // The client owns connections and must be shut down whether the call worked or not.
        try? await client.shutdown()
        return try result.get()
    }
}
