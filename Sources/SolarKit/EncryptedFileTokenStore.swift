public import Crypto
public import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tokens in one file, sealed with AES-256-GCM (the file's path is authenticated too, so a
/// sealed file copied elsewhere does not open), written atomically with mode 0600. The key comes
/// from the environment (base64) or a key file; it never sits beside the tokens in the same file.
public struct EncryptedFileTokenStore: TokenStore {
    public enum Failure: Error, Equatable { case badKey, unreadable }

    let path: String
    let key: SymmetricKey

    public init(path: String, key: SymmetricKey) throws(Failure) {
        guard key.bitCount == 256 else { throw .badKey }
        (self.path, self.key) = (path, key)
    }

    /// The key from base64 text (an environment variable's value, or a key file's contents).
    public static func key(base64 text: String) throws(Failure) -> SymmetricKey {
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 else { throw .badKey }
        return SymmetricKey(data: data)
    }

    public func load() async throws -> SessionTokens? {
        guard let sealed = FileManager.default.contents(atPath: path) else { return nil }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            let plain = try AES.GCM.open(box, using: key, authenticating: Data(path.utf8))
            return try JSONDecoder().decode(SessionTokens.self, from: plain)
        } catch {
            throw Failure.unreadable
        }
    }

    public func save(_ tokens: SessionTokens) async throws {
        let plain = try JSONEncoder().encode(tokens)
        guard let sealed = try AES.GCM.seal(plain, using: key, authenticating: Data(path.utf8)).combined else { throw Failure.unreadable }
        let temporary = path + ".tmp-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: temporary, contents: sealed, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
        // rename(2) replaces the old file atomically: a reader sees the old tokens or the new ones.
        guard rename(temporary, path) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)  // the rename failure below is the error that matters
            throw CocoaError(.fileWriteUnknown)
        }
    }

    public func clear() async throws {
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
    }
}
