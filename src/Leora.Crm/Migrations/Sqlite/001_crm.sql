-- Leora CRM, SQLite. Times are Unix milliseconds (INTEGER), as in the jobs tables.
CREATE TABLE crm_customers (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT,
    phone         TEXT,
    company       TEXT,
    title         TEXT,
    website       TEXT,
    industry      TEXT,
    company_size  TEXT,
    description   TEXT,
    address       TEXT,
    city          TEXT,
    region        TEXT,
    country       TEXT,
    status        TEXT,
    source        TEXT,
    manual_fields INTEGER NOT NULL DEFAULT 0,
    enriched_at   INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX crm_customers_segment ON crm_customers (region, status, source);

CREATE TABLE crm_files (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   INTEGER NOT NULL,
    content      BLOB,
    path         TEXT,
    created_at   INTEGER NOT NULL
);

CREATE TABLE crm_image_scans (
    id            INTEGER PRIMARY KEY,
    scan_type     TEXT NOT NULL,
    status        TEXT NOT NULL,
    image_file_id INTEGER NOT NULL REFERENCES crm_files (id),
    media_type    TEXT NOT NULL,
    job_id        INTEGER,
    data          TEXT,
    error         TEXT,
    customer_id   INTEGER REFERENCES crm_customers (id),
    created_at    INTEGER NOT NULL,
    completed_at  INTEGER
);

CREATE TABLE crm_reports (
    id           INTEGER PRIMARY KEY,
    report_type  TEXT NOT NULL,
    format       TEXT NOT NULL,
    status       TEXT NOT NULL,
    job_id       INTEGER,
    file_id      INTEGER REFERENCES crm_files (id),
    row_count    INTEGER,
    error        TEXT,
    created_at   INTEGER NOT NULL,
    completed_at INTEGER
);

CREATE TABLE crm_imports (
    id              INTEGER PRIMARY KEY,
    file_id         INTEGER NOT NULL REFERENCES crm_files (id),
    file_name       TEXT NOT NULL,
    format          TEXT NOT NULL,
    status          TEXT NOT NULL,
    job_id          INTEGER,
    rows_done       INTEGER NOT NULL DEFAULT 0,
    inserted        INTEGER NOT NULL DEFAULT 0,
    updated         INTEGER NOT NULL DEFAULT 0,
    rejected        INTEGER NOT NULL DEFAULT 0,
    encoding        TEXT,
    ignored_columns TEXT,
    error           TEXT,
    created_at      INTEGER NOT NULL,
    completed_at    INTEGER
);

CREATE TABLE crm_import_rejections (
    import_id  INTEGER NOT NULL REFERENCES crm_imports (id) ON DELETE CASCADE,
    row_number INTEGER NOT NULL,
    reason     TEXT NOT NULL,
    raw        TEXT NOT NULL,
    PRIMARY KEY (import_id, row_number)
);

CREATE TABLE crm_enrichments (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES crm_customers (id) ON DELETE CASCADE,
    field       TEXT NOT NULL,
    old_value   TEXT,
    new_value   TEXT NOT NULL,
    source      TEXT NOT NULL,
    job_id      INTEGER,
    enriched_at INTEGER NOT NULL
);
CREATE INDEX crm_enrichments_customer ON crm_enrichments (customer_id, id);
