-- Leora Jobs, PostgreSQL, migration 9: the W3C trace context (traceparent, tracestate) of the activity that enqueued a
-- job, NULL when there was none. The attempt's span continues that trace, in whichever process runs it
-- (docs/monitoring.md). {schema} is the configured schema, quoted. Nullable columns without a default: no table rewrite.
ALTER TABLE {schema}.jobs ADD COLUMN trace_parent text;
ALTER TABLE {schema}.jobs ADD COLUMN trace_state text;
