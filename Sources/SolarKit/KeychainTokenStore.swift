#if canImport(Darwin) && canImport(Security)
public import Foundation
import Security

/// Tokens in the Keychain (Apple platforms): a generic-password item readable only while the
/// device is unlocked and never migrated to another device or into backups
/// (`kSecAttrAccessibleWhenUnlockedThisDeviceOnly`, not synchronizable). Share it between an app
/// and its extensions with a Keychain access group. Compiled only where Apple's Security
/// framework exists; it cannot be built or tested on the Linux machines of this project.
public struct KeychainTokenStore: TokenStore {
    public enum Failure: Error, Equatable { case keychain(OSStatus) }

    public let service: String
    public let account: String
    public let accessGroup: String?

    public init(service: String = "com.solardispatch.session", account: String = "tokens", accessGroup: String? = nil) {
        (self.service, self.account, self.accessGroup) = (service, account, accessGroup)
    }

    var query: [String: Any] {
        var q: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword, kSecAttrService as String: service, kSecAttrAccount as String: account,
            kSecAttrSynchronizable as String: kCFBooleanFalse as Any,
        ]
        if let accessGroup { q[kSecAttrAccessGroup as String] = accessGroup }
        return q
    }

    public func load() async throws -> SessionTokens? {
        var q = query
        q[kSecReturnData as String] = true
        q[kSecMatchLimit as String] = kSecMatchLimitOne
        var item: CFTypeRef?
        let status = SecItemCopyMatching(q as CFDictionary, &item)
        if status == errSecItemNotFound { return nil }
        guard status == errSecSuccess, let data = item as? Data else { throw Failure.keychain(status) }
        return try JSONDecoder().decode(SessionTokens.self, from: data)
    }

    public func save(_ tokens: SessionTokens) async throws {
        let data = try JSONEncoder().encode(tokens)
        let update: [String: Any] = [kSecValueData as String: data,
                                     kSecAttrAccessible as String: kSecAttrAccessibleWhenUnlockedThisDeviceOnly]
        var status = SecItemUpdate(query as CFDictionary, update as CFDictionary)
        if status == errSecItemNotFound {
            status = SecItemAdd(query.merging(update) { $1 } as CFDictionary, nil)
        }
        guard status == errSecSuccess else { throw Failure.keychain(status) }
    }

    public func clear() async throws {
        let status = SecItemDelete(query as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else { throw Failure.keychain(status) }
    }
}
#endif
