import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A deliberately dumb HTTP/1.1 server on 127.0.0.1 for hostile-server tests: it answers every
/// request with bytes the test wrote by hand (a lying Content-Length, invalid UTF-8, enormous
/// headers, a redirect) and records every request exactly as it arrived on the socket.
///
/// One connection at a time, one response per connection (it closes after answering), all on a
/// thread of its own.
public final class ScriptedHTTPServer: @unchecked Sendable {
    /// The port it listens on.
    public let port: Int
    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    private let listener: Int32
    private let response: @Sendable (_ request: String) -> [UInt8]
    private let lock = NSLock()
    private var recorded: [String] = []
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)

    /// Starts listening; `response` gets the raw request head and body (as Latin-1 text) and returns the raw bytes to send.
    public init(response: @escaping @Sendable (_ request: String) -> [UInt8]) throws {
        self.response = response
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = loopbackAddress(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// A server that answers every request with the same bytes.
    public convenience init(respondingWith bytes: [UInt8]) throws {
        try self.init(response: { _ in bytes })
    }

    /// Every request received so far, head and body, decoded as Latin-1 so that no byte is lost.
    public var requests: [String] { lock.withLock { recorded } }

    /// Stops accepting and waits for the serving thread to end.
    public func stop() {
        let alreadyStopped = lock.withLock { () -> Bool in
            defer { stopped = true }
            return stopped
        }
        guard !alreadyStopped else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        finished.wait()
        close(listener)
    }

    deinit { stop() }

    private func serve() {
        defer { finished.signal() }
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
            let request = readRequest(connection)
            lock.withLock { recorded.append(request) }
            let bytes = response(request)
            var sent = 0
            while sent < bytes.count {
                let written = bytes[sent...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if written <= 0 { break }
                sent += written
            }
            shutdown(connection, Int32(SHUT_WR))
            close(connection)
        }
    }

    /// Reads the head, then as many body bytes as Content-Length announces (the client under test
    /// sends small JSON bodies, never chunked ones).
    private func readRequest(_ connection: Int32) -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var expectedTotal: Int?
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        while expectedTotal.map({ received.count < $0 }) ?? true {
            let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += buffer[0..<count]
            if expectedTotal == nil, let headEnd = Self.endOfHead(received) {
                let head = String(decoding: received[0..<headEnd], as: Unicode.ASCII.self).lowercased()
                let length = head.split(separator: "\r\n")
                    .first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                expectedTotal = headEnd + length
            }
        }
        return String(received.map { Character(Unicode.Scalar($0)) })
    }

    private static func endOfHead(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index + 4
        }
        return nil
    }
}

extension Array where Element == UInt8 {
    /// The bytes of an HTTP response: `head` lines are joined with CRLF and end with an empty line, then `body` follows.
    public static func httpResponse(_ head: [String], body: [UInt8] = []) -> [UInt8] {
        Array((head.joined(separator: "\r\n") + "\r\n\r\n").utf8) + body
    }
}

/// `127.0.0.1:port` as a socket address (port 0: any free one).
func loopbackAddress(port: UInt16) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = port.bigEndian
    return address
}
