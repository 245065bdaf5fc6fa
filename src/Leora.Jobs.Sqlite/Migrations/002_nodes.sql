-- Leora Jobs, SQLite, migration 2: live nodes and the maintenance leader's lease (times in Unix ms).
-- SQLite has no notification channel: other processes find new jobs by polling.
CREATE TABLE leora_nodes (
    name         TEXT    PRIMARY KEY,
    started_at   INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    queues       TEXT    NOT NULL,
    concurrency  INTEGER NOT NULL,
    running      INTEGER NOT NULL
);

CREATE TABLE leora_leader (
    name       TEXT    PRIMARY KEY,
    holder     TEXT    NOT NULL,
    elected_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
