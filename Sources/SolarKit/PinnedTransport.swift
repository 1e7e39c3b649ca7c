public import Foundation
public import HTTPTypes
public import OpenAPIRuntime
import Crypto
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOPosix
import NIOSSL

/// HTTPS for the generated client with the server's public key pinned: the connection is made
/// only if a certificate in the chain the server presents has a SubjectPublicKeyInfo whose
/// SHA-256 (base64) is one of `pins` (the current key and a backup). Any other certificate is
/// refused, even one a system CA trusts; pinning replaces CA trust here. One connection per call,
/// with connect and whole-call timeouts and a response size cap.
public struct PinnedTransport: ClientTransport {
    public enum Failure: Error, Equatable { case notHTTPS, pinMismatch, timedOut, responseTooLarge, connectionClosed }

    public var pins: Set<String>
    public var connectTimeout: Duration
    public var requestTimeout: Duration
    public var maxResponseBytes: Int

    public init(pins: Set<String>, connectTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(20), maxResponseBytes: Int = 4 << 20) {
        (self.pins, self.connectTimeout, self.requestTimeout, self.maxResponseBytes) = (pins, connectTimeout, requestTimeout, maxResponseBytes)
    }

    /// The pin of a certificate (PEM): base64 of the SHA-256 of its SubjectPublicKeyInfo.
    public static func pin(ofPEM pem: String) throws -> String {
        Data(SHA256.hash(data: try NIOSSLCertificate(bytes: Array(pem.utf8), format: .pem).extractPublicKey().toSPKIBytes())).base64EncodedString()
    }

    public func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (HTTPResponse, HTTPBody?) {
        guard baseURL.scheme == "https", let host = baseURL.host else { throw Failure.notHTTPS }
        let port = baseURL.port ?? 443
        let payload: [UInt8]? = if let body { try await [UInt8](collecting: body, upTo: 1 << 20) } else { nil }
        var request = request
        request.scheme = nil
        request.authority = port == 443 ? host : "\(host):\(port)"
        request.path = baseURL.path.trimmingCharacters(in: CharacterSet(charactersIn: "/")).isEmpty
            ? request.path : "/" + baseURL.path.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + (request.path ?? "")
        if let payload { request.headerFields[.contentLength] = String(payload.count) }
        let timeout = requestTimeout, prepared = request
        return try await withThrowingTaskGroup(of: (HTTPResponse, HTTPBody?).self) { group in
            group.addTask { try await self.exchange(prepared, payload: payload, host: host, port: port) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw Failure.timedOut
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    func exchange(_ request: HTTPRequest, payload: [UInt8]?, host: String, port: Int) async throws -> (HTTPResponse, HTTPBody?) {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        let context = try NIOSSLContext(configuration: tls)
        let pins = self.pins
        let pinned = NIOLockedValueBox(true)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.init(connectTimeout))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = try NIOSSLClientHandler(context: context, serverHostname: host) { chain, promise in
                        let matched = chain.contains { cert in
                            guard let spki = try? cert.extractPublicKey().toSPKIBytes() else { return false }
                            return pins.contains(Data(SHA256.hash(data: spki)).base64EncodedString())
                        }
                        pinned.withLockedValue { $0 = matched }
                        promise.succeed(matched ? .certificateVerified : .failed)
                    }
                    try channel.pipeline.syncOperations.addHandler(handler)
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPClientCodec())
                    return try NIOAsyncChannel<HTTPResponsePart, HTTPRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        do {
            return try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(.head(request))
                if let payload { try await outbound.write(.body(ByteBuffer(bytes: payload))) }
                try await outbound.write(.end(nil))
                var head: HTTPResponse?
                var collected = ByteBuffer()
                for try await part in inbound {
                    switch part {
                    case .head(let h) where h.status.kind != .informational: head = h
                    case .head: continue
                    case .body(var chunk):
                        guard collected.readableBytes + chunk.readableBytes <= maxResponseBytes else { throw Failure.responseTooLarge }
                        collected.writeBuffer(&chunk)
                    case .end:
                        guard let head else { throw Failure.connectionClosed }
                        return (head, HTTPBody(Array(collected.readableBytesView)))
                    }
                }
                throw Failure.connectionClosed
            }
        } catch {
            if !pinned.withLockedValue({ $0 }) { throw Failure.pinMismatch }
            throw error
        }
    }
}
