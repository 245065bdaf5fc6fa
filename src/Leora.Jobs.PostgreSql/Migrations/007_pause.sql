-- Leora Jobs, PostgreSQL, migration 7: paused queues and job types (issue 12). A row pauses every pending job of that
-- queue (scope 'queue') or type (scope 'type'): the claim reads this table in its own statement, so a pause or a resume
-- is honoured by the very next claim of every node on the database. {schema} is the configured schema, quoted.
CREATE TABLE {schema}.pauses (
    scope     text        NOT NULL CHECK (scope IN ('queue', 'type')),
    name      text        NOT NULL,
    paused_at timestamptz NOT NULL,
    PRIMARY KEY (scope, name)
);
