import Foundation
import SolarSecurity
import Testing

@Suite("Opaque tokens")
struct TokenTests {
    @Test("tokens carry 256 random bits in base64url and are unique")
    func entropy() {
        let tokens = (0..<200).map { _ in OpaqueToken.generate().value }
        #expect(Set(tokens).count == tokens.count)
        #expect(tokens.allSatisfy { $0.count == 43 && OpaqueToken.isWellFormed($0) })
        #expect(tokens.allSatisfy { !$0.contains("+") && !$0.contains("/") && !$0.contains("=") })
    }

    @Test("only the SHA-256 of a token is stored")
    func storageHash() {
        let token = OpaqueToken(value: "abc")
        #expect(token.storageHash == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(OpaqueToken.generate().storageHash.count == 64)
    }

    @Test("malformed tokens are rejected before any lookup")
    func wellFormed() {
        #expect(!OpaqueToken.isWellFormed("short"))
        #expect(!OpaqueToken.isWellFormed(String(repeating: "a", count: 42) + "!"))
        #expect(!OpaqueToken.isWellFormed(String(repeating: "a", count: 44)))
    }

    @Test("constant-time comparison")
    func compare() {
        #expect(constantTimeEquals("secret", "secret"))
        #expect(!constantTimeEquals("secret", "secreT"))
        #expect(!constantTimeEquals("secret", "secret1"))
        #expect(!constantTimeEquals("", "x"))
    }

    @Test("secure random bytes differ")
    func random() {
        #expect(SecureRandom.bytes(32) != SecureRandom.bytes(32))
        #expect(SecureRandom.bytes(16).count == 16)
    }
}
