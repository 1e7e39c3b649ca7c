import Foundation
import HTTPTypes
import Hummingbird

/// `POST /api/v1/webhooks/payments`: the payment provider's signed events. Not a user route: the
/// signature is the authentication (`PaymentService.receive`).
struct PaymentsController {
    let services: AppServices
    static let signatureHeader = HTTPField.Name("Solar-Signature")!

    func publicEndpoints(_ group: RouterGroup<AppRequestContext>) {
        group.post("webhooks/payments") { request, context in
            let mediaType = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
            guard mediaType == "application/json" else {
                throw ApiError(.unsupportedMediaType, "unsupported-media-type", "The request body must be application/json.")
            }
            let body = try await request.body.collect(upTo: context.maxUploadSize)
            _ = try await PaymentService(services: services).receive(
                body: body, signature: request.headers[Self.signatureHeader], audit: AuditContext(context)
            )
            return WebhookAckDTO(status: "processed")
        }
    }
}

struct WebhookAckDTO: ResponseEncodable {
    var status: String
}
