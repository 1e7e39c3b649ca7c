/// Password rules after NIST SP 800-63B: length over composition, a blocklist, no truncation.
///
/// - at least 12 characters, or 8 for accounts with MFA enrolled; at most 128; any Unicode;
/// - not one of the most common passwords (`CommonPasswords`), also when only digits or
///   symbols were added around one (`password123456`);
/// - not containing the email's local part or a part of it of 4 or more characters.
public enum PasswordPolicy {
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
        return nil
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
