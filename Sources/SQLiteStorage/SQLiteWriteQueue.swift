import NIOConcurrencyHelpers
import Storage

/// Group commit for the single SQLite writer. Write transactions queue here; the writer thread
/// takes every waiting one (up to `maxBatch`) and runs them one after another inside one
/// SQLite transaction, each in its own savepoint, then commits once. A body that throws rolls
/// back to its savepoint only, so every caller sees exactly what its own transaction would
/// have done alone, in the same serial order; but one `fsync` now acknowledges many writes.
/// Nothing is answered before the commit that makes it durable.
final class SQLiteWriteQueue: Sendable {
    /// Enough to amortise the commit; small enough that the first caller does not wait long.
    static let maxBatch = 64

    final class Job: @unchecked Sendable {
        /// Runs the transaction's body on the writer connection and keeps its result.
        let body: (SQLiteConnection) throws -> Void
        /// Answers the caller: nil after the commit, or the error.
        let finish: ((any Error)?) -> Void

        init(body: @escaping (SQLiteConnection) throws -> Void, finish: @escaping ((any Error)?) -> Void) {
            self.body = body
            self.finish = finish
        }
    }

    private let pending = NIOLockedValueBox<[Job]>([])

    func enqueue(_ job: Job) {
        pending.withLockedValue { $0.append(job) }
    }

    func take(max: Int) -> [Job] {
        pending.withLockedValue { jobs in
            let count = min(max, jobs.count)
            let batch = Array(jobs.prefix(count))
            jobs.removeFirst(count)
            return batch
        }
    }

    /// Runs on the writer thread: one batch, one transaction, one commit.
    func drain(_ conn: SQLiteConnection) {
        let jobs = take(max: Self.maxBatch)
        guard !jobs.isEmpty else { return }
        do {
            try conn.execute("BEGIN IMMEDIATE", [])
        } catch {
            return jobs.forEach { $0.finish(error) }
        }
        var outcomes: [(any Error)?] = []
        for job in jobs {
            do {
                try conn.execute("SAVEPOINT write_job", [])
                try job.body(conn)
                try conn.execute("RELEASE write_job", [])
                outcomes.append(nil)
            } catch {
                // Some failures (an I/O error, a full disk) make SQLite end the whole
                // transaction: then nothing of the batch was kept, and every caller hears so.
                guard conn.isInTransaction else { return jobs.forEach { $0.finish(error) } }
                do {
                    try conn.execute("ROLLBACK TO write_job", [])
                    try conn.execute("RELEASE write_job", [])
                } catch let rollback {
                    abandon(conn)
                    return jobs.forEach { $0.finish(rollback) }
                }
                outcomes.append(error)
            }
        }
        do {
            try conn.execute("COMMIT", [])
        } catch {
            abandon(conn)
            return jobs.forEach { $0.finish(error) }
        }
        for (job, outcome) in zip(jobs, outcomes) { job.finish(outcome) }
    }

    /// Rolls back what is left of a failed batch. If even that fails the connection reports
    /// it at the next BEGIN, which every later write answers with.
    private func abandon(_ conn: SQLiteConnection) {
        guard conn.isInTransaction else { return }
        do { try conn.execute("ROLLBACK", []) } catch { return }
    }
}

/// Where a write job keeps its body's result until the commit.
final class WriteResult<T>: @unchecked Sendable {
    var value: T?
}
