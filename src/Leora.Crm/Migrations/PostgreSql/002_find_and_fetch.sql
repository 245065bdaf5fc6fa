-- Leora CRM 002, PostgreSQL (issue 21): a postal code; the fields a person edited through the API (edited_fields: imports
-- and enrichment never overwrite them); scans from an image URL, whose image is fetched when the job runs (image_file_id
-- is empty until then).
ALTER TABLE crm_customers ADD COLUMN postal_code TEXT;
ALTER TABLE crm_customers ADD COLUMN edited_fields BIGINT NOT NULL DEFAULT 0;

ALTER TABLE crm_image_scans ALTER COLUMN image_file_id DROP NOT NULL;
ALTER TABLE crm_image_scans ALTER COLUMN media_type DROP NOT NULL;
ALTER TABLE crm_image_scans ADD COLUMN image_url TEXT;
