import Foundation
import Hummingbird
import HTTPTypes
import NIOCore
import SolarSecurity

/// A response written with `JSONWriter` instead of the context's `JSONEncoder`.
protocol JSONWritable: ResponseEncodable {
    func write(to json: inout JSONWriter)
}

extension JSONWritable {
    func response(from request: Request, context: some RequestContext) throws -> Response {
        var json = JSONWriter()
        write(to: &json)
        let bytes = json.bytes
        return Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8", .contentLength: String(bytes.count)],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }
}
