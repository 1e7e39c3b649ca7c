import Domain
import SolarSecurity

/// A record the store writes as JSON by hand (`JSONWriter`), with its keys sorted, the bytes
/// `JSONEncoder` with `.sortedKeys` wrote: order creation writes quote lines and a sealed site
/// on the single writer, where `JSONEncoder` showed in the profile. Every sealed record
/// (`FieldProtection.seal`) is written this way.
protocol StoredJSONWritable {
    func write(to json: inout JSONWriter)
}

extension StoredJSON {
    static func text<T: StoredJSONWritable>(_ value: T) -> String {
        var json = JSONWriter(capacity: 256)
        value.write(to: &json)
        return String(decoding: json.bytes, as: UTF8.self)
    }

    static func text<T: StoredJSONWritable>(array: [T]) -> String {
        var json = JSONWriter(capacity: 128 * array.count + 2)
        json.array(array) { json, item in item.write(to: &json) }
        return String(decoding: json.bytes, as: UTF8.self)
    }
}

extension QuoteLine: StoredJSONWritable {
    func write(to json: inout JSONWriter) {
        json.object { json in
            json.key("amountCents"); json.int(amountCents)
            json.key("code"); json.string(code)
            json.key("description"); json.string(description)
        }
    }
}

extension FieldProtection.Site: StoredJSONWritable {
    func write(to json: inout JSONWriter) {
        json.object { json in
            json.key("latitude"); json.double(latitude)
            json.key("line1"); json.string(line1)
            if let line2 { json.key("line2"); json.string(line2) }
            json.key("longitude"); json.double(longitude)
            if let notes { json.key("notes"); json.string(notes) }
            json.key("postalCode"); json.string(postalCode)
        }
    }
}

extension FieldProtection.AccountPII: StoredJSONWritable {
    func write(to json: inout JSONWriter) {
        json.object { json in
            json.key("email"); json.string(email)
            json.key("name"); json.string(name)
            json.key("phone"); json.string(phone)
        }
    }
}
