public import Foundation

/// A session's tokens, as the kit keeps them between launches.
public struct SessionTokens: Codable, Sendable, Equatable {
    public var accessToken: String
    public var refreshToken: String

    public init(accessToken: String, refreshToken: String) {
        (self.accessToken, self.refreshToken) = (accessToken, refreshToken)
    }
}

/// Where the kit keeps tokens: the Keychain on Apple platforms (planned in this kit), an
/// encrypted file elsewhere (`EncryptedFileTokenStore`). Tokens never go to logs or URL caches.
public protocol TokenStore: Sendable {
    func load() async throws -> SessionTokens?
    func save(_ tokens: SessionTokens) async throws
    func clear() async throws
}
