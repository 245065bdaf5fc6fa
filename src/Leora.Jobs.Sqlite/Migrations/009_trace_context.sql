-- Leora Jobs, SQLite, migration 9: the W3C trace context (traceparent, tracestate) of the activity that enqueued a job,
-- NULL when there was none. The attempt's span continues that trace, in whichever process runs it (docs/monitoring.md).
ALTER TABLE leora_jobs ADD COLUMN trace_parent TEXT;
ALTER TABLE leora_jobs ADD COLUMN trace_state TEXT;
