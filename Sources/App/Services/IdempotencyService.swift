import Crypto
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SolarSecurity
import Storage

/// `Idempotency-Key` on the writes a mobile client retries on a bad network (order creation,
/// quote acceptance, offer acceptance): the first successful answer is kept for 24 hours per
/// account and key; a retry with the same method, path and body gets it again (with
/// `Idempotent-Replayed: true`), a different request with the same key 409, and a retry while
/// the first is still running 409 too. Failed requests keep nothing, so they can be retried.
struct IdempotencyService: Sendable {
    let services: AppServices
    static let lifetime: TimeInterval = 24 * 3600
    static let header = HTTPField.Name("Idempotency-Key")!
    static let replayed = HTTPField.Name("Idempotent-Replayed")!

    /// Runs `produce` at most once per account and key.
    func run(_ request: Request, context: AuthenticatedContext, key: String,
             produce: (Request) async throws -> Response) async throws -> Response {
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw ApiError(.badRequest, "invalid-idempotency-key", "Idempotency-Key must be 1 to 255 visible ASCII characters.")
        }
        var request = request
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        request.body = Hummingbird.RequestBody(buffer: body)
        let account = context.principal.accountID
        let now = services.now()
        let record = IdempotencyRecord(accountID: account, key: key, fingerprint: Self.fingerprint(request, body: body),
                                       createdAt: now, expiresAt: now.addingTimeInterval(Self.lifetime))
        do {
            try await services.store.write { db in
                try db.deleteExpiredIdempotencyKeys(accountID: account, now: now)
                try db.insertIdempotencyKey(record)
            }
        } catch StorageError.conflict {
            return try await replay(record)
        }
        let response: Response
        do {
            response = try await produce(request)
        } catch {
            try await release(record)
            throw error
        }
        guard (200..<300).contains(response.status.code) else {
            try await release(record)
            return response
        }
        let (text, kept) = try await Self.collect(response)
        let sealed = try services.cipher.encrypt(text, context: Self.context(record))
        try await services.store.write { db in
            try db.completeIdempotencyKey(accountID: account, key: key, status: response.status.code, bodyCiphertext: sealed)
        }
        return kept
    }

    /// The stored answer for the same request; 409 for another request or one still running.
    func replay(_ attempt: IdempotencyRecord) async throws -> Response {
        let stored = try await services.store.read { db in try db.idempotencyKey(accountID: attempt.accountID, key: attempt.key) }
        guard let stored, stored.fingerprint == attempt.fingerprint else {
            throw ApiError(.conflict, "idempotency-key-reused", "This Idempotency-Key was used for a different request.")
        }
        guard let status = stored.status, let sealed = stored.bodyCiphertext else {
            throw ApiError(.conflict, "idempotency-key-in-progress", "A request with this Idempotency-Key is still being processed. Retry shortly.")
        }
        let text = try services.cipher.decrypt(sealed, context: Self.context(stored))
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        headers[Self.replayed] = "true"
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Frees the key of a request that did not succeed, so the client can retry it.
    func release(_ record: IdempotencyRecord) async throws {
        try await services.store.write { db in try db.deleteIdempotencyKey(accountID: record.accountID, key: record.key) }
    }

    static func fingerprint(_ request: Request, body: ByteBuffer) -> String {
        var hash = SHA256()
        hash.update(data: Data("\(request.method.rawValue) \(request.uri.path)\n".utf8))
        hash.update(data: Data(body.readableBytesView))
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }

    static func context(_ record: IdempotencyRecord) -> String {
        "idempotency:\(record.accountID.uuidString.lowercased()):\(record.key)"
    }

    /// The response's body as text, and the response again with that body (the original stream
    /// can be read once only).
    static func collect(_ response: Response) async throws -> (String, Response) {
        let collector = BodyCollector()
        var response = response
        try await response.body.write(collector)
        response.body = .init(byteBuffer: collector.buffer)
        return (String(buffer: collector.buffer), response)
    }
}

/// Gathers a response body in memory (responses here are small JSON documents).
private final class BodyCollector: ResponseBodyWriter {
    var buffer = ByteBuffer()

    func write(_ buffer: ByteBuffer) async throws {
        var b = buffer
        self.buffer.writeBuffer(&b)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
