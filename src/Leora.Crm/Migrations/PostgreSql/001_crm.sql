-- Leora CRM, PostgreSQL. The tables live in the jobs schema (the migrator sets search_path to it).
CREATE TABLE crm_customers (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
    manual_fields BIGINT NOT NULL DEFAULT 0,
    enriched_at   TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX crm_customers_segment ON crm_customers (region, status, source);

CREATE TABLE crm_files (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL,
    content      BYTEA,
    path         TEXT,
    created_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE crm_image_scans (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scan_type     TEXT NOT NULL,
    status        TEXT NOT NULL,
    image_file_id BIGINT NOT NULL REFERENCES crm_files (id),
    media_type    TEXT NOT NULL,
    job_id        BIGINT,
    data          TEXT,
    error         TEXT,
    customer_id   BIGINT REFERENCES crm_customers (id),
    created_at    TIMESTAMPTZ NOT NULL,
    completed_at  TIMESTAMPTZ
);

CREATE TABLE crm_reports (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    report_type  TEXT NOT NULL,
    format       TEXT NOT NULL,
    status       TEXT NOT NULL,
    job_id       BIGINT,
    file_id      BIGINT REFERENCES crm_files (id),
    row_count    BIGINT,
    error        TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    completed_at TIMESTAMPTZ
);

CREATE TABLE crm_imports (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file_id         BIGINT NOT NULL REFERENCES crm_files (id),
    file_name       TEXT NOT NULL,
    format          TEXT NOT NULL,
    status          TEXT NOT NULL,
    job_id          BIGINT,
    rows_done       BIGINT NOT NULL DEFAULT 0,
    inserted        BIGINT NOT NULL DEFAULT 0,
    updated         BIGINT NOT NULL DEFAULT 0,
    rejected        BIGINT NOT NULL DEFAULT 0,
    encoding        TEXT,
    ignored_columns TEXT,
    error           TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    completed_at    TIMESTAMPTZ
);

CREATE TABLE crm_import_rejections (
    import_id  BIGINT NOT NULL REFERENCES crm_imports (id) ON DELETE CASCADE,
    row_number BIGINT NOT NULL,
    reason     TEXT NOT NULL,
    raw        TEXT NOT NULL,
    PRIMARY KEY (import_id, row_number)
);

CREATE TABLE crm_enrichments (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES crm_customers (id) ON DELETE CASCADE,
    field       TEXT NOT NULL,
    old_value   TEXT,
    new_value   TEXT NOT NULL,
    source      TEXT NOT NULL,
    job_id      BIGINT,
    enriched_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX crm_enrichments_customer ON crm_enrichments (customer_id, id);
