-- Leora CRM 004, PostgreSQL (issue 14): an import is a workflow. Its job is the first member of a batch whose on-complete
-- callback generates the import's report (crm_reports.import_id); the customers each chunk created or changed are
-- recorded with the chunk's checkpoint (crm_import_customers), so that the attempt that completes the import enqueues one
-- customer_enrichment for each of them, whichever attempts imported them.
ALTER TABLE crm_imports ADD COLUMN batch_id BIGINT;
ALTER TABLE crm_imports ADD COLUMN report_id BIGINT;
ALTER TABLE crm_reports ADD COLUMN import_id BIGINT REFERENCES crm_imports (id);

CREATE TABLE crm_import_customers (
    import_id   BIGINT NOT NULL REFERENCES crm_imports (id) ON DELETE CASCADE,
    customer_id BIGINT NOT NULL REFERENCES crm_customers (id) ON DELETE CASCADE,
    row_number  BIGINT NOT NULL,
    change      TEXT NOT NULL,
    PRIMARY KEY (import_id, customer_id)
);
