#ifndef HEDGELEDGER_CSQLITE_SHIM_H
#define HEDGELEDGER_CSQLITE_SHIM_H

#include <sqlite3.h>

// Swift cannot call C variadic functions; these wrap the ones we use.
static inline int hl_sqlite3_db_config_int(sqlite3 *db, int op, int value, int *result) {
    return sqlite3_db_config(db, op, value, result);
}

// Memory-usage statistics cost a global mutex on every allocation; the ledger never reads
// them. Must run before SQLite initialises (it returns SQLITE_MISUSE, harmlessly, after).
static inline int hl_sqlite3_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

#endif
