import Foundation
import SolarSecurity
import Testing

@Suite("Password policy (NIST SP 800-63B)")
struct PasswordPolicyTests {
    let email = "maria.lopez@example.com"

    @Test("12 characters without MFA, 8 with MFA, at most 128, any Unicode, no composition rules")
    func length() {
        #expect(PasswordPolicy.problem(with: "sunny roof 7", email: email) == nil)
        #expect(PasswordPolicy.problem(with: "sunny roof", email: email) != nil)
        #expect(PasswordPolicy.problem(with: "sunny roof", email: email, mfaEnrolled: true) == nil)
        #expect(PasswordPolicy.problem(with: "sunroof", email: email, mfaEnrolled: true) != nil)
        #expect(PasswordPolicy.problem(with: String(repeating: "k", count: 128), email: email) == nil)
        #expect(PasswordPolicy.problem(with: String(repeating: "k", count: 129), email: email) != nil)
        #expect(PasswordPolicy.problem(with: "☀️ placas solares ☀️", email: email) == nil)
        #expect(PasswordPolicy.problem(with: "alllowercaseletters", email: email) == nil)
    }

    @Test("the shipped blocklist has at least 10,000 entries")
    func listSize() {
        #expect(CommonPasswords.count >= 10_000)
    }

    @Test("common passwords are rejected, also with digits or symbols around them", arguments: [
        "password123456", "qwertyuiop123", "Password1234", "iloveyou!!!!!!", "qwerty123456", "football2024!", "baseball1987",
    ])
    func common(_ password: String) {
        #expect(CommonPasswords.isCommon(password), "\(password)")
        #expect(PasswordPolicy.problem(with: password, email: email) != nil, "\(password)")
    }

    @Test("ordinary strong passphrases pass the blocklist", arguments: ["correct horse battery", "tejado-soleado-42-norte", "Kx9!vQ2#mT7&"])
    func notCommon(_ password: String) {
        #expect(!CommonPasswords.isCommon(password))
    }

    @Test("passwords built on the words of the service or its roles are rejected (the documented context list)")
    func contextWords() {
        for built in ["SolarDispatch2026!", "s0lard1spatch-admin", "Solar Installer 1", "my-solar-panel-99", "Sup3rAdministrator"] {
            #expect(PasswordPolicy.problem(with: built, email: "x@example.com") == "is too close to the name of this service or its roles", "\(built)")
        }
        // A word of the service inside a longer passphrase is fine.
        #expect(PasswordPolicy.problem(with: "my sunny solar roof garden", email: "x@example.com") == nil)
        #expect(PasswordPolicy.problem(with: "correct horse battery", email: "x@example.com") == nil)
    }

    @Test("a password containing the email's name is rejected")
    func containsEmail() {
        #expect(PasswordPolicy.problem(with: "maria.lopez-solar-2026", email: email) != nil)
        #expect(PasswordPolicy.problem(with: "LopezHouseRoof99", email: email) != nil)
        #expect(PasswordPolicy.problem(with: "theMARIAsolarpanels", email: email) != nil)
        #expect(PasswordPolicy.problem(with: "unrelated secret phrase", email: email) == nil)
    }
}
