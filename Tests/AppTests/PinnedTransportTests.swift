import Crypto
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import OpenAPIRuntime
import SolarKit
import Testing

/// A local HTTPS server (certificate for localhost from a throw-away CA, made with openssl)
/// that answers every request with 200 `{"status":"live"}`.
final class LocalTLSServer: Sendable {
    let port: Int
    let certificatePEM: String
    private let channel: any Channel

    init(folder: URL) async throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        func openssl(_ args: [String]) throws {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            p.arguments = args
            p.currentDirectoryURL = folder
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
        }
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=Kit test CA", "-keyout", "ca.key", "-out", "ca.pem"])
        try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "key.pem", "-out", "req.csr"])
        try "subjectAltName=DNS:localhost\n".write(to: folder.appendingPathComponent("san.ext"), atomically: true, encoding: .utf8)
        try openssl(["x509", "-req", "-in", "req.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1", "-extfile", "san.ext", "-out", "cert.pem"])
        certificatePEM = try String(contentsOf: folder.appendingPathComponent("cert.pem"), encoding: .utf8)
        let tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(folder.appendingPathComponent("cert.pem").path).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: folder.appendingPathComponent("key.pem").path, format: .pem))
        )
        let context = try NIOSSLContext(configuration: tls)
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    try child.pipeline.syncOperations.addHandler(Live())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    func close() async throws { try await channel.close() }

    private final class Live: ChannelInboundHandler, Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .end = unwrapInboundIn(data) else { return }
            let body = ByteBuffer(string: #"{"status":"live"}"#)
            var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", String(body.readableBytes))])
            headers.add(name: "Connection", value: "close")
            context.write(wrapOutboundOut(.head(.init(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}

@Suite("SolarKit pinned HTTPS transport")
struct PinnedTransportTests {
    static func get(_ transport: PinnedTransport, port: Int) async throws -> HTTPResponse.Status {
        let (response, _) = try await transport.send(HTTPRequest(method: .get, scheme: "https", authority: nil, path: "/health/live"),
                                                     body: nil, baseURL: URL(string: "https://localhost:\(port)")!, operationID: "liveness")
        return response.status
    }

    @Test("the right pin (or the backup pin) connects; any other certificate is refused")
    func pinning() async throws {
        let server = try await LocalTLSServer(folder: FileManager.default.temporaryDirectory.appendingPathComponent("kit-tls-\(UUID().uuidString)"))
        let pin = try PinnedTransport.pin(ofPEM: server.certificatePEM)
        let other = Data(SHA256.hash(data: Data("another key".utf8))).base64EncodedString()
        #expect(try await Self.get(PinnedTransport(pins: [pin]), port: server.port) == .ok)
        #expect(try await Self.get(PinnedTransport(pins: [other, pin]), port: server.port) == .ok)  // backup pin
        await #expect(throws: PinnedTransport.Failure.pinMismatch) {
            _ = try await Self.get(PinnedTransport(pins: [other]), port: server.port)
        }
        await #expect(throws: PinnedTransport.Failure.notHTTPS) {
            _ = try await PinnedTransport(pins: [pin]).send(HTTPRequest(method: .get, scheme: "http", authority: nil, path: "/"), body: nil,
                                                           baseURL: URL(string: "http://localhost:\(server.port)")!, operationID: "x")
        }
        try await server.close()
    }
}
