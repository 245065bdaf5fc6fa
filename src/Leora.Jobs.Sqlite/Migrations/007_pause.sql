-- Leora Jobs, SQLite, migration 7: paused queues and job types (issue 12). A row pauses every pending job of that queue
-- (scope 'queue') or type (scope 'type'): the claim reads this table in its own statement, so a pause or a resume is
-- honoured by the very next claim of every process on the database. paused_at is Unix milliseconds (UTC).
CREATE TABLE leora_pauses (
    scope     TEXT    NOT NULL CHECK (scope IN ('queue', 'type')),
    name      TEXT    NOT NULL,
    paused_at INTEGER NOT NULL,
    PRIMARY KEY (scope, name)
) WITHOUT ROWID;
