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
    /// How body bytes reach a descriptor sink (nil for a memory sink); set by ``prepareOutput(waitList:)``.
    private(set) var output: DescriptorOutput?
    /// Body bytes the descriptor could not take yet (a full pipe or socket): written before any others.
    private var owed: [UInt8] = []
    private var owedOffset = 0
    /// The loop's list of transfers waiting for their descriptor; this one is on it while it owes bytes.
    private var waitList: OutputWaitList?
    /// Whether the write callback last answered `CURL_WRITEFUNC_PAUSE`.
    var paused = false
    /// The outcome of a transfer libcurl has finished while its descriptor still owes bytes.
    var outcomeAfterOwedBytes: Result<TransferResult, TransferError>?

    /// `CURL_WRITEFUNC_PAUSE`: libcurl keeps the bytes and offers them again after `curl_easy_pause`.
    static let pause = Int(CURL_WRITEFUNC_PAUSE)

    init(request: TransferRequest, sink: TransferSink) {
        self.request = request
        self.sink = sink
    }

    /// Whether bytes wait for the descriptor.
    var hasOwedBytes: Bool { owedOffset < owed.count }

    /// Chooses how to write into a descriptor sink; on the loop thread, when the transfer starts.
    func prepareOutput(waitList: OutputWaitList) {
        guard case .fileDescriptor(let descriptor) = sink, output == nil else { return }
        output = DescriptorOutput(descriptor)
        self.waitList = waitList
    }

    /// Closes what ``prepareOutput(waitList:)`` opened and leaves the wait list; the caller's descriptor stays open.
    func releaseOutput() {
        waitList?.remove(self)
        waitList = nil
        output?.close()
        output = nil
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
        if hasOwedBytes {
            // Earlier bytes first; until the descriptor takes them all, libcurl holds these.
            guard writeOwedBytes() else { return 0 }
            if hasOwedBytes {
                paused = true
                return Self.pause
            }
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
        guard output != nil else {
            if case .memory(let limit) = sink, memoryBody.count + data.count > limit {
                callbackFailure = TransferError(kind: .bodyTooLarge, message: "the response body exceeded the maximum of \(limit) bytes",
                                                status: head.status)
                return 0
            }
            memoryBody.append(contentsOf: data)
            return data.count
        }
        guard let handle, gatherLimit > 0 else {
            return emit(data) ? data.count : 0
        }
        let capacity = min(gatherLimit, handle.gather.count)
        if gathered + data.count > capacity {
            guard flush() else { return 0 }
        }
        if data.count >= capacity {
            return emit(data) ? data.count : 0
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
        guard gathered > 0, let base = handle?.gather.baseAddress else { return true }
        let ok = emit(UnsafeRawBufferPointer(start: base, count: gathered))
        gathered = 0
        return ok
    }

    /// Writes as much of the owed bytes as the descriptor takes now; false (with ``callbackFailure`` set)
    /// when it failed.
    func writeOwedBytes() -> Bool {
        guard let output, hasOwedBytes else { return true }
        let written = owed.withUnsafeBytes { output.write(UnsafeRawBufferPointer(rebasing: $0[owedOffset...])) }
        switch written {
        case .bytes(let count):
            owedOffset += count
            bytesWritten += Int64(count)
            if !hasOwedBytes {
                owed.removeAll(keepingCapacity: true)
                owedOffset = 0
                waitList?.remove(self)
            }
            return true
        case .wouldBlock:
            return true
        case .failed(let error):
            recordOutputFailure(error)
            return false
        }
    }

    /// Sends `data` to the descriptor, keeping what it cannot take now as owed bytes; false (with
    /// ``callbackFailure`` set) when it failed.
    private func emit(_ data: UnsafeRawBufferPointer) -> Bool {
        guard let output, !data.isEmpty else { return true }
        bodyWrites += 1
        guard !hasOwedBytes else {
            owed.append(contentsOf: data)
            return true
        }
        switch output.write(data) {
        case .bytes(let count):
            bytesWritten += Int64(count)
            if count < data.count { owe(data[count...]) }
            return true
        case .wouldBlock:
            owe(data[...])
            return true
        case .failed(let error):
            recordOutputFailure(error)
            return false
        }
    }

    private func owe(_ bytes: Slice<UnsafeRawBufferPointer>) {
        owed.append(contentsOf: bytes)
        waitList?.add(self)
    }

    private func recordOutputFailure(_ error: Errno) {
        callbackFailure = TransferError(kind: .output, message: "writing the response body failed: \(error.description)",
                                        errno: error.rawValue, bytesWritten: bytesWritten, status: head.status)
    }
}

/// The transfers of one loop whose descriptor owes bytes, which the loop waits on beside libcurl's sockets.
/// Touched only on the loop thread.
final class OutputWaitList {
    private(set) var transfers: [Transfer] = []

    func add(_ transfer: Transfer) {
        if !transfers.contains(where: { $0 === transfer }) { transfers.append(transfer) }
    }

    func remove(_ transfer: Transfer) {
        transfers.removeAll { $0 === transfer }
    }
}

/// Where a 2xx body goes.
package enum TransferSink: Sendable {
    /// Into this descriptor, as it arrives; the caller owns it.
    case fileDescriptor(FileDescriptor)
    /// Into memory, for small JSON bodies; more than `limit` bytes fails the transfer.
    case memory(limit: Int)
}
