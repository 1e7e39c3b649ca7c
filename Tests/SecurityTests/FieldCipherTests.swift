import Foundation
import SolarSecurity
import Testing

@Suite("Field encryption (AES-256-GCM with a key ring)")
struct FieldCipherTests {
    let ring = FieldCipher(keyRing: FieldCipher.generateKeyEntry(id: "k1"))!

    @Test("round trip; ciphertexts name their key and differ every time")
    func roundTrip() throws {
        let a = try ring.encrypt("JBSWY3DPEHPK3PXP", context: "mfa_totp.secret:1")
        let b = try ring.encrypt("JBSWY3DPEHPK3PXP", context: "mfa_totp.secret:1")
        #expect(a.hasPrefix("v1:k1:") && a != b)
        #expect(!a.contains("JBSWY3DPEHPK3PXP"))
        #expect(try ring.decrypt(a, context: "mfa_totp.secret:1") == "JBSWY3DPEHPK3PXP")
    }

    @Test("a ciphertext moved to another row or column does not decrypt")
    func boundToContext() throws {
        let ciphertext = try ring.encrypt("secret", context: "mfa_totp.secret:alice")
        #expect(throws: FieldCipherError.authenticationFailed) { try ring.decrypt(ciphertext, context: "mfa_totp.secret:mallory") }
    }

    @Test("tampering and unknown keys are detected")
    func tampering() throws {
        let ciphertext = try ring.encrypt("secret", context: "c")
        var bytes = Array(ciphertext)
        let middle = "v1:k1:".count + (bytes.count - "v1:k1:".count) / 2
        bytes[middle] = bytes[middle] == "A" ? "B" : "A"
        #expect(throws: FieldCipherError.self) { try ring.decrypt(String(bytes), context: "c") }
        let other = FieldCipher(keyRing: FieldCipher.generateKeyEntry(id: "k9"))!
        #expect(throws: FieldCipherError.unknownKey) { try other.decrypt(ciphertext, context: "c") }
    }

    @Test("ciphertexts without the v1:<id>:<base64> shape are refused, never read")
    func malformedCiphertexts() throws {
        let good = try ring.encrypt("secret", context: "c")
        let payload = String(good.dropFirst("v1:k1:".count))
        for text in ["", "v1", "v1:", "v1:k1", "v1::" + payload, "v2:k1:" + payload, "V1:k1:" + payload, "v1:k1:" + payload + "!", "v1:k1:a:" + payload, "xv1:k1:" + payload] {
            #expect(throws: FieldCipherError.self, "\(text.prefix(12))") { try ring.decrypt(text, context: "c") }
        }
        #expect(throws: FieldCipherError.malformed) { try ring.decrypt("v1::" + payload, context: "c") }
        #expect(throws: FieldCipherError.malformed) { try ring.decrypt("v1:k1:" + payload + "!", context: "c") }
        #expect(try ring.decrypt("v1:k1:" + payload, context: "c") == "secret")
    }

    @Test("old keys still decrypt after rotation; new ciphertexts use the active key")
    func rotation() throws {
        let oldEntry = FieldCipher.generateKeyEntry(id: "old")
        let old = FieldCipher(keyRing: oldEntry)!
        let ciphertext = try old.encrypt("value", context: "c")
        let rotated = FieldCipher(keyRing: FieldCipher.generateKeyEntry(id: "new") + "," + oldEntry)!
        #expect(try rotated.decrypt(ciphertext, context: "c") == "value")
        #expect(try rotated.encrypt("value", context: "c").hasPrefix("v1:new:"))
    }

    @Test("malformed key rings are refused")
    func malformed() {
        #expect(FieldCipher(keyRing: "k1:short") == nil)
        #expect(FieldCipher(keyRing: "") == nil)
        #expect(FieldCipher(keyRing: "bad id!:" + Data(repeating: 1, count: 32).base64EncodedString()) == nil)
    }
}
