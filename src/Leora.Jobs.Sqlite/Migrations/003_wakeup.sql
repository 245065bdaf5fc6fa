-- Leora Jobs, SQLite, migration 3: nothing to change. PostgreSQL's migration 3 removes its wake-up trigger; SQLite never
-- had one (other processes find jobs by polling). Kept so that both stores share migration numbers.
SELECT 1;
