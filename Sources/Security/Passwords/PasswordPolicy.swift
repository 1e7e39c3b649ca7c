/// Length rules for passwords (NIST SP 800-63B style: length over composition).
public enum PasswordPolicy {
    /// Accepted length in characters (extended grapheme clusters). Never truncated.
    public static let lengthRange: ClosedRange<Int> = 8...128

    /// A safe, generic reason when `password` is not acceptable, or nil when it is.
    public static func problem(with password: String) -> String? {
        lengthRange.contains(password.count) ? nil : "must be 8 to 128 characters"
    }
}
