import Foundation
import SolarSecurity
import Testing

@Suite("TOTP (RFC 6238)")
struct TOTPTests {
    /// RFC 6238 appendix B test vectors for SHA-1 (8 digits, key "12345678901234567890").
    @Test("RFC 6238 test vectors", arguments: [
        (59, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"), (2_000_000_000, "69279037"), (20_000_000_000, "65353130"),
    ])
    func vectors(_ time: Int, _ expected: String) {
        var totp = TOTP(secret: Array("12345678901234567890".utf8))
        totp.digits = 8
        #expect(totp.code(step: totp.step(at: Date(timeIntervalSince1970: TimeInterval(time)))) == expected)
    }

    @Test("verification accepts one step of skew either way, not two; returns the step")
    func skew() {
        // A fixed secret and time, whose codes two steps away differ from the accepted ones.
        let totp = TOTP(secret: Array("12345678901234567890".utf8))
        let now = Date(timeIntervalSince1970: 1_800_000_015)
        let step = totp.step(at: now)
        let accepted = Set((step - 1...step + 1).map { totp.code(step: $0) })
        #expect(!accepted.contains(totp.code(step: step - 2)) && !accepted.contains(totp.code(step: step + 2)))
        #expect(totp.verify(totp.code(step: step), at: now) == step)
        #expect(totp.verify(totp.code(step: step - 1), at: now) == step - 1)
        #expect(totp.verify(totp.code(step: step + 1), at: now) == step + 1)
        #expect(totp.verify(totp.code(step: step - 2), at: now) == nil)
        #expect(totp.verify(totp.code(step: step + 2), at: now) == nil)
        #expect(totp.verify("12345", at: now) == nil)
        #expect(totp.verify("abcdef", at: now) == nil)
    }

    @Test("secrets are 160 random bits; the otpauth URI carries them in base32")
    func provisioning() throws {
        let secret = TOTP.generateSecret()
        #expect(secret.count == 20)
        let uri = TOTP(secret: secret).provisioningURI(account: "ana@example.com")
        #expect(uri.hasPrefix("otpauth://totp/SolarDispatch:ana@example.com?secret="))
        let components = try #require(URLComponents(string: uri))
        let encoded = try #require(components.queryItems?.first { $0.name == "secret" }?.value)
        #expect(Base32.decode(encoded) == secret)
        #expect(components.queryItems?.first { $0.name == "digits" }?.value == "6")
    }

    @Test("base32 round-trips and matches RFC 4648")
    func base32() {
        #expect(Base32.encode(Array("foobar".utf8)) == "MZXW6YTBOI")
        #expect(Base32.decode("MZXW6YTBOI") == Array("foobar".utf8))
        #expect(Base32.decode("not base32!") == nil)
    }
}
