-- hedgeledger schema, version 14: the best bid and ask beside each mark, where the snapshot
-- gives them (exact, in the mark's quote currency). `simulate` charges half the spread of the
-- hedge instrument on each simulated trade; nothing else reads them. Checked at import:
-- positive, bid not above ask.
ALTER TABLE marks ADD COLUMN bid_price TEXT;
ALTER TABLE marks ADD COLUMN ask_price TEXT;
