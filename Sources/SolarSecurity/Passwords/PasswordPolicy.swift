import Foundation

/// Password rules after NIST SP 800-63B: length over composition, a blocklist, no truncation.
///
/// - at least 12 characters, or 8 for accounts with MFA enrolled; at most 128; any Unicode;
/// - not one of the most common passwords (`CommonPasswords`), also when only digits or
///   symbols were added around one (`password123456`);
/// - not containing the email's local part or a part of it of 4 or more characters;
/// - not built on the words of this service (`contextWords`, ASVS V6.1.2 and V6.2.11): once those
///   words are taken out (also spelt with digits, `s0lar`), at least 6 other letters remain.
public enum PasswordPolicy {
    /// The context-specific words (documented in docs/configuration.md): the company and product,
    /// the roles, and what the platform is about.
    public static let contextWords = [
        "solardispatch", "solar", "dispatch", "installation", "installer", "photovoltaic", "panel",
        "administrator", "admin", "engineer", "support", "sales", "customer", "staff", "password",
    ]

    public static let maximumLength = 128

    public static func minimumLength(mfaEnrolled: Bool) -> Int { mfaEnrolled ? 8 : 12 }

    /// A safe, generic reason when `password` is not acceptable for this account, or nil.
    public static func problem(with password: String, email: String, mfaEnrolled: Bool = false) -> String? {
        let minimum = minimumLength(mfaEnrolled: mfaEnrolled)
        guard (minimum...maximumLength).contains(password.count) else { return "must be \(minimum) to \(maximumLength) characters" }
        if CommonPasswords.isCommon(password) { return "is too common; choose a less predictable password" }
        let lowered = password.lowercased()
        let local = String(email.lowercased().split(separator: "@").first ?? "")
        let parts = [local] + local.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        if parts.contains(where: { $0.count >= 4 && lowered.contains($0) }) || (local.count >= 3 && lowered.contains(local)) {
            return "must not contain your email address"
        }
        if isBuiltOnContextWords(password) { return "is too close to the name of this service or its roles" }
        return nil
    }

    /// True when, after taking out every context word, fewer than 6 letters are left (digits read
    /// as the letters they stand for, everything else ignored).
    static func isBuiltOnContextWords(_ password: String) -> Bool {
        // `1` stands for `i` or `l`: both readings are tried.
        ([Character("i"), Character("l")]).contains { one in
            let leet: [Character: Character] = ["0": "o", "1": one, "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"]
            var letters = String(password.lowercased().compactMap { c -> Character? in c.isLetter ? c : leet[c] })
            let before = letters.count
            for word in contextWords.sorted(by: { $0.count > $1.count }) { letters = letters.replacingOccurrences(of: word, with: "") }
            return letters.count < before && letters.count < 6
        }
    }

    /// Length check alone, for verifying an existing password (never reject a login for policy).
    public static func isPlausible(_ password: String) -> Bool {
        (1...maximumLength).contains(password.count)
    }
}

/// The blocklist of common passwords built by `scripts/build-common-passwords.py`.
public enum CommonPasswords {
    static let entries: Set<Substring> = Set(list.split(separator: "\n"))

    public static var count: Int { entries.count }

    /// True for a listed password, case-insensitively, or a listed word of 4+ characters with
    /// only digits and symbols added before or after it.
    public static func isCommon(_ password: String) -> Bool {
        let lowered = password.lowercased()
        if entries.contains(Substring(lowered)) { return true }
        let core = lowered.drop(while: { !$0.isLetter }).reversed().drop(while: { !$0.isLetter }).reversed()
        let word = String(core)
        return word.count >= 4 && word.count < lowered.count && entries.contains(Substring(word))
    }
}
