// The SolarClient library is generated at build time from `openapi.yaml` (repository root,
// linked here) by swift-openapi-generator: `Client`, `Components` and `Operations`.
// Use it with a transport, for example:
//
//     let client = Client(serverURL: URL(string: "https://api.solardispatch.example")!,
//                         transport: URLSessionTransport())
