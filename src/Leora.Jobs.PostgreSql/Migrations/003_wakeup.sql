-- Leora Jobs, PostgreSQL, migration 3: the wake-up moves out of the enqueuing transaction.
-- A NOTIFY queued by a transaction takes PostgreSQL's global notification lock at commit and holds it through the
-- commit's WAL flush, so enqueues from many clients committed one at a time (docs/benchmarks.md). The store now sends
-- the wake-up itself: after the commit for its own transactions (coalesced per process), and inside the caller's
-- transaction when the caller owns it.
DROP TRIGGER IF EXISTS jobs_notify ON {schema}.jobs;
DROP FUNCTION IF EXISTS {schema}.jobs_notify();
