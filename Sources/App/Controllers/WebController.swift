import Hummingbird
import Domain
import Foundation
import HTTPTypes
import Logging
import NIOCore
import Security
import Storage

/// Server-rendered web interface.
struct WebController {
    let services: AppServices

    func endpoints(_ router: Router<AppRequestContext>) {
    }
}
