-- Reports say how many rows they matched besides how many their file holds: a PDF stops at its row cap
-- (PdfReportWriter.MaxRows) while CSV and XLSX hold every row. NULL for reports generated before this migration.
ALTER TABLE crm_reports ADD COLUMN total_rows INTEGER;
