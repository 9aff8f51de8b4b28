import CSQLite

extension Connection {
    /// Copies this database, as one consistent snapshot, into `destination` with SQLite's
    /// online backup API: other connections may go on reading and writing meanwhile (in WAL mode
    /// a reader blocks no writer); the copy is what a reader starting now would see.
    public func backup(into destination: Connection) throws(SQLiteError) {
        guard let backup = sqlite3_backup_init(destination.handle, "main", handle, "main") else {
            throw SQLiteError(code: sqlite3_extended_errcode(destination.handle), connection: destination.handle, sql: nil)
        }
        // All pages in one step, so no write can interleave and restart the copy.
        var code = sqlite3_backup_step(backup, -1)
        while code == SQLITE_BUSY || code == SQLITE_LOCKED {
            sqlite3_sleep(20)
            code = sqlite3_backup_step(backup, -1)
        }
        let finished = sqlite3_backup_finish(backup)
        guard code == SQLITE_DONE else { throw SQLiteError(code: code, connection: destination.handle, sql: nil) }
        guard finished == SQLITE_OK else { throw SQLiteError(code: finished, connection: destination.handle, sql: nil) }
    }
}
