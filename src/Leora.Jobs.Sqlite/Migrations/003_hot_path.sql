-- Leora Jobs, SQLite, migration 3: nothing to change. PostgreSQL's migration 3 removes its wake-up trigger (SQLite never
-- had one) and its (kind, id) and (queue, id) indexes, which every non-HOT update there must maintain; SQLite updates only
-- the indexes whose columns change, so they cost nothing on its claim and complete. Kept so that both stores share
-- migration numbers.
SELECT 1;
