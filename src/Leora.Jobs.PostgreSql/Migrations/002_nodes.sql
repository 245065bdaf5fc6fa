-- Leora Jobs, PostgreSQL, migration 2: live nodes, the maintenance leader's lease, and a wake-up on enqueue.
CREATE TABLE {schema}.nodes (
    name         text        PRIMARY KEY,
    started_at   timestamptz NOT NULL,
    heartbeat_at timestamptz NOT NULL,
    queues       text        NOT NULL,
    concurrency  integer     NOT NULL,
    running      integer     NOT NULL
);

-- One row per leadership (only 'maintenance' today): whoever holds an unexpired lease leads.
CREATE TABLE {schema}.leader (
    name       text        PRIMARY KEY,
    holder     text        NOT NULL,
    elected_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);

-- A statement-level trigger: one notification per INSERT statement, and PostgreSQL folds identical notifications of
-- one transaction into one, so a bulk enqueue or a caller's transaction with many jobs wakes workers once, at commit.
-- The payload is the schema, so several Leora schemas can share one database and one channel.
CREATE FUNCTION {schema}.jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('leora_jobs', TG_TABLE_SCHEMA);
    RETURN NULL;
END
$$;

CREATE TRIGGER jobs_notify AFTER INSERT ON {schema}.jobs FOR EACH STATEMENT EXECUTE FUNCTION {schema}.jobs_notify();
