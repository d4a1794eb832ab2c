import Foundation

/// nginx serving BoldSign's image endpoint over TLS 1.3 with HTTP/2 on, from files: a server we did
/// not write, as the real API's front end is. `POST /v1/identityVerification/image?documentId=ID`
/// answers with the file named `ID`: the static module refuses the POST, and `error_page` turns that
/// into an internal GET of the file. The request body is read first (`mirror_request_body`), as the
/// API reads its JSON: a server that answers without reading it ends each HTTP/2 stream with
/// RST_STREAM(NO_ERROR), which libcurl 7.74 reports as a stream error even after a complete response.
/// The access log records, per request, the protocol, the connection number and whether the TLS
/// session was resumed.
///
/// Needs nginx with the `ssl` and `http_v2` modules (Debian's `nginx-light` has both); `.ci/run`
/// installs it. Without it, `start` throws and the test fails: it is never skipped.
public final class NginxServer: Sendable {
    /// One access-log line.
    public struct LogEntry: Sendable, Hashable {
        /// `HTTP/2.0` or `HTTP/1.1`.
        public var httpVersion: String
        /// nginx's serial number of the connection.
        public var connection: Int
        /// Whether the connection resumed an earlier TLS session.
        public var sessionReused: Bool
        /// The response status.
        public var status: Int
        /// The request URI.
        public var uri: String
    }

    /// `https://127.0.0.1:PORT`.
    public let baseURL: String
    /// Where the served files go: write a file named after a document id to serve it.
    public let filesDirectory: String
    private let directory: TemporaryDirectory
    private let process: SpawnedProcess

    private init(baseURL: String, filesDirectory: String, directory: TemporaryDirectory, process: SpawnedProcess) {
        self.baseURL = baseURL
        self.filesDirectory = filesDirectory
        self.directory = directory
        self.process = process
    }

    /// Starts nginx on a free loopback port with the committed test certificate.
    ///
    /// - Parameters:
    ///   - keepaliveSeconds: how long an idle connection is kept (HTTP/1.1 keep-alive and HTTP/2 idle).
    ///   - http2: whether to offer `h2` by ALPN.
    public static func start(keepaliveSeconds: Int = 75, http2: Bool = true) async throws -> NginxServer {
        guard let executable = ["/usr/sbin/nginx", "/usr/bin/nginx"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw NginxError(description: "nginx is not installed (apt-get install nginx-light)")
        }
        let directory = try TemporaryDirectory()
        let files = directory.path + "/files"
        try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
        // nginx's worker may run as another user; it only needs to read what tests put here.
        chmod(directory.path, 0o755)
        chmod(files, 0o755)
        let port = try freePort()
        let certificates = TestPaths.certificates
        let user = getuid() == 0 ? "user root;" : ""
        let configuration = """
            worker_processes 1;
            daemon off;
            pid \(directory.path)/nginx.pid;
            error_log \(directory.path)/error.log;
            \(user)
            events { worker_connections 1024; }
            http {
              log_format probe '$server_protocol $connection $ssl_session_reused $status $request_uri';
              access_log \(directory.path)/access.log probe;
              client_body_temp_path \(directory.path)/body;
              keepalive_timeout \(keepaliveSeconds)s;
              keepalive_requests 100000;
              server {
                listen 127.0.0.1:\(port) ssl\(http2 ? " http2" : "");
                ssl_certificate \(certificates)/server.pem;
                ssl_certificate_key \(certificates)/server.key;
                ssl_protocols TLSv1.3;
                ssl_session_cache shared:tls:1m;
                location = /v1/identityVerification/image {
                  mirror /read-body;
                  mirror_request_body on;
                  error_page 404 405 = /files/$arg_documentId;
                }
                location = /read-body { internal; return 204; }
                location /files/ { internal; alias \(files)/; default_type image/jpeg; }
              }
            }
            """
        try configuration.write(toFile: directory.path + "/nginx.conf", atomically: true, encoding: .utf8)
        let process = try SpawnedProcess(executable, ["-c", directory.path + "/nginx.conf", "-e", directory.path + "/error.log"])
        let server = NginxServer(baseURL: "https://127.0.0.1:\(port)", filesDirectory: files, directory: directory, process: process)
        let deadline = Date().addingTimeInterval(10)
        while !canConnect(port: port) {
            guard process.isRunning, Date() < deadline else {
                server.stop()
                let log = (try? String(contentsOfFile: directory.path + "/error.log", encoding: .utf8)) ?? ""
                throw NginxError(description: "nginx did not start: \(log)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return server
    }

    /// Writes `bytes` as the body served for `documentID`.
    public func serve(_ bytes: Data, documentID: String) throws {
        let path = filesDirectory + "/" + documentID
        try bytes.write(to: URL(fileURLWithPath: path))
        chmod(path, 0o644)
    }

    /// The access log so far (nginx writes each line when its request ends).
    public func accessLog() -> [LogEntry] {
        let text = (try? String(contentsOfFile: directory.path + "/access.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 5, let connection = Int(fields[1]), let status = Int(fields[3]) else { return nil }
            return LogEntry(httpVersion: String(fields[0]), connection: connection, sessionReused: fields[2] == "r",
                            status: status, uri: String(fields[4]))
        }
    }

    /// Stops nginx and waits for it.
    public func stop() {
        guard process.isRunning else { return }
        process.send(SIGTERM)
        _ = process.waitUntilExit()
    }

    deinit { stop() }
}

/// Why nginx could not be started.
public struct NginxError: Error, CustomStringConvertible {
    /// What went wrong.
    public var description: String
}

private func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw NginxError(description: "socket: \(errno)") }
    defer { close(fd) }
    var address = loopbackAddress(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw NginxError(description: "bind: \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}

private func canConnect(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = loopbackAddress(port: UInt16(port))
    return withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}
