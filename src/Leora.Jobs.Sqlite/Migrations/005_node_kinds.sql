-- Leora Jobs, SQLite, migration 5: the job types each worker node has handlers for (a JSON array; NULL from a node
-- of an earlier release, which is taken to know every type). Stats list the types with pending jobs that neither the
-- answering process nor any live node knows: "no worker for this type".
ALTER TABLE leora_nodes ADD COLUMN kinds TEXT;
