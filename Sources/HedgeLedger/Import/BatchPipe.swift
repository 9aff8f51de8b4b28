import Dispatch
import Synchronization

/// A bounded hand-off of batches from one producer thread to one consumer: the producer
/// blocks when `capacity` batches wait, so memory stays flat however large the input.
/// `nil` marks the end.
final class BatchPipe<Batch: Sendable>: Sendable {
    private let freeSlots: DispatchSemaphore
    private let filledSlots = DispatchSemaphore(value: 0)
    private let queue = Mutex<[Batch?]>([])

    init(capacity: Int) { freeSlots = DispatchSemaphore(value: capacity) }

    func send(_ batch: Batch?) {
        freeSlots.wait()
        queue.withLock { $0.append(batch) }
        filledSlots.signal()
    }

    func receive() -> Batch? {
        filledSlots.wait()
        let batch = queue.withLock { $0.removeFirst() }
        freeSlots.signal()
        return batch
    }
}
