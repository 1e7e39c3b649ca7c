import Domain
import SolarSecurity

/// A record read from JSON the store wrote, mapped by hand (`StoredJSON`).
protocol StoredJSONReadable {
    init(stored: StoredJSON) throws(StoredJSON.Malformed)
}

extension StoredJSON {
    func required(_ key: String) throws(Malformed) -> StoredJSON {
        guard let value = self[key] else { throw Malformed() }
        return value
    }

    /// Parses `text` as `T`, or an array of it; a malformed value is a corrupt `column`.
    static func read<T: StoredJSONReadable>(_ type: T.Type, _ text: String, column: String) throws(StorageError) -> T {
        do { return try T(stored: parse(text)) } catch { throw StorageError.corruptRow(column) }
    }

    static func readArray<T: StoredJSONReadable>(of type: T.Type, _ text: String, column: String) throws(StorageError) -> [T] {
        do {
            guard case .array(let items) = try parse(text) else { throw Malformed() }
            var out: [T] = []
            out.reserveCapacity(items.count)
            for item in items { out.append(try T(stored: item)) }
            return out
        } catch {
            throw StorageError.corruptRow(column)
        }
    }
}

extension QuoteLine: StoredJSONReadable {
    init(stored: StoredJSON) throws(StoredJSON.Malformed) {
        self.init(code: try stored.required("code").string(), description: try stored.required("description").string(),
                  amountCents: try stored.required("amountCents").int64())
    }
}

extension FieldProtection.Site: StoredJSONReadable {
    init(stored: StoredJSON) throws(StoredJSON.Malformed) {
        self.init(line1: try stored.required("line1").string(), line2: try stored["line2"]?.optionalString(),
                  postalCode: try stored.required("postalCode").string(), latitude: try stored.required("latitude").double(),
                  longitude: try stored.required("longitude").double(), notes: try stored["notes"]?.optionalString())
    }
}

extension FieldProtection.AccountPII: StoredJSONReadable {
    init(stored: StoredJSON) throws(StoredJSON.Malformed) {
        self.init(email: try stored.required("email").string(), name: try stored.required("name").string(),
                  phone: try stored.required("phone").string())
    }
}

extension FieldProtection {
    /// Decrypts and reads a record the store sealed, without `JSONDecoder`.
    func openStored<T: StoredJSONReadable>(_ type: T.Type, _ ciphertext: String, context: String) throws -> T {
        try StoredJSON.read(type, try cipher.decrypt(ciphertext, context: context), column: "ciphertext")
    }
}
