#ifndef HEDGELEDGER_CZLIB_SHIM_H
#define HEDGELEDGER_CZLIB_SHIM_H

#include <zlib.h>

// inflateInit2 is a macro; Swift needs a function. 15 + 32: any window, gzip or zlib header.
static inline int hl_inflate_init_gzip(z_stream *stream) {
    return inflateInit2(stream, 15 + 32);
}

#endif
