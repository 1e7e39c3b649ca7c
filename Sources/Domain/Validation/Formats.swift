import Foundation

/// Syntactic checks for contact data. They are deliberately strict and simple.
public enum Formats {
    /// Trims and lower-cases an email so that lookups and uniqueness ignore case.
    public static func normalizedEmail(_ raw: String) -> String {
        raw.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// A pragmatic email check: printable ASCII only, one `@`, a non-empty local part, a dotted
    /// domain of letters, digits and hyphens, at most 254 characters.
    public static func isValidEmail(_ email: String) -> Bool {
        guard email.count <= 254, email.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value != 0x7F }) else { return false }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        } && labels.last!.count >= 2
    }

    /// E.164: a plus sign and 7 to 15 digits, the first not zero.
    public static func isValidPhone(_ phone: String) -> Bool {
        let digits = phone.dropFirst()
        return phone.first == "+" && (7...15).contains(digits.count)
            && digits.allSatisfy { $0.isASCII && $0.isNumber } && digits.first != "0"
    }

    /// ISO 3166-1 alpha-2 shape: two upper-case ASCII letters.
    public static func isCountryCode(_ code: String) -> Bool {
        code.count == 2 && code.allSatisfy { $0.isASCII && $0.isUppercase }
    }
}
