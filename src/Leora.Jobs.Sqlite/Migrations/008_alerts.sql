-- Leora Jobs, SQLite, migration 8: the notifier's state (issue 13, Leora.Jobs.Notifications). One row per notifier
-- ('notifier'): a JSON document with the failure feed's cursor, each alert rule's state, and per channel the time of the
-- last message and the digest waiting for the quiet period to end. It is read and written in one transaction with the
-- notification jobs it enqueues, so a crash never loses an alert nor sends one twice.
CREATE TABLE leora_alert_state (
    name       TEXT    PRIMARY KEY,
    state      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);
