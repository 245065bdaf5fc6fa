-- Leora Jobs, PostgreSQL, migration 3: a lighter hot path (claim, complete, enqueue). {schema} is the configured schema.

-- The wake-up moves out of the enqueuing transaction. A NOTIFY queued by a transaction takes PostgreSQL's global
-- notification lock at commit and holds it through the commit's WAL flush, so enqueues from many clients committed one
-- at a time. The store now sends the wake-up itself: after the commit for its own transactions (coalesced per process),
-- inside the caller's transaction when the caller owns it.
DROP TRIGGER IF EXISTS jobs_notify ON {schema}.jobs;
DROP FUNCTION IF EXISTS {schema}.jobs_notify();

-- Claiming and completing change status, so neither update is HOT: every index whose predicate the new row matches gets
-- a new entry. The (kind, id) and (queue, id) indexes over all rows cost a fifth of the database's time per job
-- (docs/benchmarks.md). Lists filtered by type or queue now read the status index or the primary key instead; the one
-- such read that must stay fast on a large table, failed and cancelled jobs of one type (retry all failed of a type),
-- gets a partial index the hot path never touches.
DROP INDEX IF EXISTS {schema}.jobs_kind_id;
DROP INDEX IF EXISTS {schema}.jobs_queue_id;
CREATE INDEX jobs_kind_unsuccessful ON {schema}.jobs (kind, id) WHERE status IN ('failed', 'cancelled');
