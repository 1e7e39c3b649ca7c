import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A TCP listener on 127.0.0.1 that counts the connections it accepts and, if given one, answers
/// the first bytes it reads with a canned HTTP response.
final class LocalListener: Sendable {
    let port: Int
    private let channel: any Channel
    private let accepted = NIOLockedValueBox(0)

    var connections: Int { accepted.withLockedValue { $0 } }

    init(response: String? = nil) async throws {
        let counter = accepted
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                counter.withLockedValue { $0 += 1 }
                guard let response else { return child.eventLoop.makeSucceededVoidFuture() }
                return child.pipeline.addHandler(CannedResponse(text: response))
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    func close() async throws { try await channel.close() }
}

private final class CannedResponse: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let text: String

    init(text: String) { self.text = text }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text)), promise: nil)
    }
}
