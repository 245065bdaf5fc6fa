-- Leora CRM 002, SQLite (issue 21): a postal code; the fields a person edited through the API (edited_fields: imports and
-- enrichment never overwrite them); scans from an image URL, whose image is fetched when the job runs (image_file_id is
-- empty until then).
ALTER TABLE crm_customers ADD COLUMN postal_code TEXT;
ALTER TABLE crm_customers ADD COLUMN edited_fields INTEGER NOT NULL DEFAULT 0;

-- SQLite cannot drop a NOT NULL constraint: the table is rebuilt (nothing references it).
CREATE TABLE crm_image_scans_002 (
    id            INTEGER PRIMARY KEY,
    scan_type     TEXT NOT NULL,
    status        TEXT NOT NULL,
    image_file_id INTEGER REFERENCES crm_files (id),
    image_url     TEXT,
    media_type    TEXT,
    job_id        INTEGER,
    data          TEXT,
    error         TEXT,
    customer_id   INTEGER REFERENCES crm_customers (id),
    created_at    INTEGER NOT NULL,
    completed_at  INTEGER
);
INSERT INTO crm_image_scans_002 (id, scan_type, status, image_file_id, media_type, job_id, data, error, customer_id, created_at, completed_at)
SELECT id, scan_type, status, image_file_id, media_type, job_id, data, error, customer_id, created_at, completed_at FROM crm_image_scans;
DROP TABLE crm_image_scans;
ALTER TABLE crm_image_scans_002 RENAME TO crm_image_scans;
