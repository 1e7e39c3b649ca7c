import Foundation
import SolarSecurity
import Testing

@Suite("Breached passwords (k-anonymity)")
struct BreachedPasswordsTests {
    final class Recorder: @unchecked Sendable {
        var urls: [URL] = []
    }

    @Test("only the first five hex characters of the SHA-1 are sent; the suffix is matched locally")
    func kAnonymity() async {
        // SHA-1("password") = 5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8
        let recorder = Recorder()
        let checker = BreachedPasswords(mode: .failClosed) { url in
            recorder.urls.append(url)
            return "1E4C9B93F3F0682250B6CF8331B7EE68FD8:3861493\r\n0018A45C4D1DEF81644B54AB7F969B88D65:0"
        }
        #expect(await checker.check("password") == .breached)
        #expect(recorder.urls.map(\.lastPathComponent) == ["5BAA6"])
        #expect(recorder.urls[0].path == "/range/5BAA6" && recorder.urls[0].query == nil)
        #expect(await checker.check("a very unusual passphrase") == .notFound)
    }

    @Test("a failing service: fail-open accepts, fail-closed refuses, off never calls")
    func failureModes() async {
        struct Down: Error {}
        #expect(await BreachedPasswords(mode: .failOpen) { _ in throw Down() }.check("x") == .notFound)
        #expect(await BreachedPasswords(mode: .failClosed) { _ in throw Down() }.check("x") == .unavailable)
        #expect(await BreachedPasswords(mode: .off) { _ in throw Down() }.check("x") == .notFound)
    }
}
