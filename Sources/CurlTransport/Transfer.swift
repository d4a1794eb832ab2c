internal import CCurl
import Synchronization
import SystemPackage

/// The state of one transfer, from submission to completion.
///
/// Created on the caller's task, then owned by the transfer thread: every mutable field is read
/// and written only there (libcurl calls the callbacks on that thread too). Only ``cancelRequested``
/// crosses threads, and it is atomic.
final class Transfer: @unchecked Sendable {
    /// The largest non-2xx body kept for error decoding.
    static let maxErrorBody = 64 * 1024
    static let leadingByteCount = 16

    let request: TransferRequest
    let sink: TransferSink
    let cancelRequested = Atomic<Bool>(false)

    var continuation: CheckedContinuation<TransferResult, any Error>?
    /// Called on the transfer thread instead of resuming ``continuation``, for a transfer started that way.
    var completion: (@Sendable (Result<TransferResult, TransferError>) -> Void)?
    var handle: PooledHandle?
    var headerList: UnsafeMutablePointer<curl_slist>?
    var head = ResponseHeadParser()

    private(set) var bytesWritten: Int64 = 0
    private(set) var bytesReceived: Int64 = 0
    private(set) var leadingBytes: [UInt8] = []
    private(set) var errorBody: [UInt8] = []
    /// A 2xx body kept in memory, for ``TransferSink/memory(limit:)``.
    private(set) var memoryBody: [UInt8] = []
    /// Set by a callback that aborted the transfer; wins over libcurl's own code.
    private(set) var callbackFailure: TransferError?
    private var gathered = 0
    /// Body bytes gathered before a write: set at the first 2xx body byte (``GatherLimit``).
    private var gatherLimit = 0
    /// Writes of gathered body bytes so far (``TransferResult/bodyWrites``).
    private(set) var bodyWrites = 0
    /// nil until the first body byte, then whether the body goes to the sink.
    private var bodyIsSuccess: Bool?

    init(request: TransferRequest, sink: TransferSink) {
        self.request = request
        self.sink = sink
    }

    /// `CURLOPT_WRITEFUNCTION`'s work: returns how many bytes it took; anything short aborts the transfer.
    func consumeBody(_ data: UnsafeRawBufferPointer, statusFallback: () -> Int) -> Int {
        let isSuccess: Bool
        if let decided = bodyIsSuccess {
            isSuccess = decided
        } else {
            let status = head.status != 0 ? head.status : statusFallback()
            isSuccess = (200..<300).contains(status)
            bodyIsSuccess = isSuccess
            gatherLimit = GatherLimit.bytes(capacity: handle?.gather.count ?? 0, contentLength: head.contentLength)
        }
        guard isSuccess else {
            let room = Self.maxErrorBody - errorBody.count
            if room > 0 { errorBody.append(contentsOf: data.prefix(room)) }
            return data.count
        }
        bytesReceived += Int64(data.count)
        if let limit = request.options.maxBodyBytes, bytesReceived > limit {
            callbackFailure = TransferError(kind: .bodyTooLarge, message: "the response body exceeded the maximum of \(limit) bytes",
                                            bytesWritten: bytesWritten, status: head.status)
            return 0
        }
        if leadingBytes.count < Self.leadingByteCount {
            leadingBytes.append(contentsOf: data.prefix(Self.leadingByteCount - leadingBytes.count))
        }
        guard case .fileDescriptor(let fd) = sink else {
            if case .memory(let limit) = sink, memoryBody.count + data.count > limit {
                callbackFailure = TransferError(kind: .bodyTooLarge, message: "the response body exceeded the maximum of \(limit) bytes",
                                                status: head.status)
                return 0
            }
            memoryBody.append(contentsOf: data)
            return data.count
        }
        guard let handle, gatherLimit > 0 else {
            return write(data, to: fd) ? data.count : 0
        }
        let capacity = min(gatherLimit, handle.gather.count)
        if gathered + data.count > capacity {
            guard flush() else { return 0 }
        }
        if data.count >= capacity {
            return write(data, to: fd) ? data.count : 0
        }
        if let base = data.baseAddress, let target = handle.gather.baseAddress {
            (target + gathered).copyMemory(from: base, byteCount: data.count)
        }
        gathered += data.count
        return data.count
    }

    /// Frees the header list libcurl was given, once libcurl no longer uses it.
    func freeHeaderList() {
        if let list = headerList {
            curl_slist_free_all(list)
            headerList = nil
        }
    }

    /// Writes out gathered body bytes; false (with ``callbackFailure`` set) when the sink failed.
    @discardableResult
    func flush() -> Bool {
        guard gathered > 0, let base = handle?.gather.baseAddress, case .fileDescriptor(let fd) = sink else { return true }
        let ok = write(UnsafeRawBufferPointer(start: base, count: gathered), to: fd)
        gathered = 0
        return ok
    }

    private func write(_ data: UnsafeRawBufferPointer, to fd: FileDescriptor) -> Bool {
        guard let base = data.baseAddress, !data.isEmpty else { return true }
        bodyWrites += 1
        if let failure = FileDescriptorWriter.writeAll(fd, base, data.count) {
            callbackFailure = TransferError(kind: .output, message: "writing the response body failed: \(failure.description)",
                                            errno: failure.rawValue, bytesWritten: bytesWritten, status: head.status)
            return false
        }
        bytesWritten += Int64(data.count)
        return true
    }
}

/// Where a 2xx body goes.
package enum TransferSink: Sendable {
    /// Into this descriptor, as it arrives; the caller owns it.
    case fileDescriptor(FileDescriptor)
    /// Into memory, for small JSON bodies; more than `limit` bytes fails the transfer.
    case memory(limit: Int)
}
