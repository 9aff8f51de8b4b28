-- hedgeledger schema, version 13: corrections are records too.
--
-- A decision recorded wrongly is never edited: a new decision supersedes it (`hedge record
-- --supersedes KEY`, or an import's `supersedes` column) and names it here. Each decision is
-- superseded at most once; the fills that executed it count for the decision that replaced it.
ALTER TABLE hedge_decisions ADD COLUMN supersedes_id INTEGER REFERENCES hedge_decisions(id);
CREATE UNIQUE INDEX hedge_decisions_by_supersedes ON hedge_decisions (supersedes_id) WHERE supersedes_id IS NOT NULL;

-- A link made in error is withdrawn by a later row for the same fill with no decision (`hedge
-- unlink`), and the fill may be linked again: a fill's link is its latest row. So the table is
-- rebuilt without the one-row-per-fill constraint of version 11, its rows and ids kept (the
-- journal chain names links by id). Nothing references hedge_links, so it can be dropped.
CREATE TABLE hedge_links_v13 (
    id INTEGER PRIMARY KEY,
    decision_id INTEGER REFERENCES hedge_decisions(id),
    fill_id INTEGER NOT NULL REFERENCES fills(id),
    source TEXT NOT NULL CHECK (source IN ('import', 'link', 'unlink')),
    recorded_at_us INTEGER NOT NULL,
    recorded_by TEXT NOT NULL CHECK (recorded_by <> ''),
    reason TEXT,
    CHECK ((source = 'unlink') = (decision_id IS NULL)),
    CHECK (source <> 'unlink' OR (reason IS NOT NULL AND reason <> ''))
) STRICT;
INSERT INTO hedge_links_v13 (id, decision_id, fill_id, source, recorded_at_us, recorded_by)
    SELECT id, decision_id, fill_id, source, recorded_at_us, recorded_by FROM hedge_links;
DROP TABLE hedge_links;
ALTER TABLE hedge_links_v13 RENAME TO hedge_links;

CREATE INDEX hedge_links_by_decision ON hedge_links (decision_id) WHERE decision_id IS NOT NULL;
CREATE INDEX hedge_links_by_fill ON hedge_links (fill_id, id);

CREATE TRIGGER hedge_links_refuse_update BEFORE UPDATE ON hedge_links
BEGIN SELECT RAISE(ABORT, 'hedge links are append-only: UPDATE is refused'); END;
CREATE TRIGGER hedge_links_refuse_delete BEFORE DELETE ON hedge_links
BEGIN SELECT RAISE(ABORT, 'hedge links are append-only: DELETE is refused'); END;
