-- hedgeledger schema, version 5: replays without a per-fill index.
--
-- Version 4 kept fills reachable in position order through the index fills_by_position. Every
-- import paid for it row by row: 1.5 times the plain insert for a file in time order, twice for
-- a shuffled one (BENCHMARKS.md). The order is kept instead once per 64 fills, beside the
-- checkpoints: segment n of a position lists the ids of its fills number 64n+1 to 64n+64 in the
-- order positions apply them (FillOrderKey: time, venue, then trade id), which is the run of
-- fills between checkpoint 64n and checkpoint 64(n+1). A replay from a checkpoint reads the
-- segments after it and fetches those fills by id; the last segment may be shorter. Ids are
-- listed comma-separated in any order: a reader puts each segment's fills in apply order.
-- Segments, like checkpoints, are derived: voided fills are left out, and a late fill or a void
-- rewrites the segments after it.

DROP INDEX fills_by_position;

CREATE TABLE position_segments (
    book TEXT NOT NULL,
    instrument_id INTEGER NOT NULL REFERENCES instruments(id),
    segment INTEGER NOT NULL CHECK (segment >= 0),
    fill_ids TEXT NOT NULL CHECK (fill_ids <> ''),
    PRIMARY KEY (book, instrument_id, segment)
) STRICT, WITHOUT ROWID;

-- The segments of the fills already in the ledger, numbered in apply order. The trade-id
-- terms are FillOrderKey's: whole numbers by value before other ids, then byte order.
INSERT INTO position_segments (book, instrument_id, segment, fill_ids)
SELECT book, instrument_id, (n - 1) / 64, group_concat(id, ',')
FROM (
    SELECT f.id, f.book, f.instrument_id,
           row_number() OVER (
               PARTITION BY f.book, f.instrument_id
               ORDER BY f.time_us, f.venue, (f.trade_id GLOB '*[^0-9]*'),
                        CASE WHEN f.trade_id GLOB '*[^0-9]*' THEN 0 ELSE length(ltrim(f.trade_id, '0')) END,
                        CASE WHEN f.trade_id GLOB '*[^0-9]*' THEN '' ELSE ltrim(f.trade_id, '0') END, f.trade_id
           ) AS n
    FROM fills f
    WHERE NOT EXISTS (SELECT 1 FROM voided_fills v WHERE v.fill_id = f.id)
)
GROUP BY book, instrument_id, (n - 1) / 64;
