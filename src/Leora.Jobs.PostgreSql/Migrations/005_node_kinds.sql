-- Leora Jobs, PostgreSQL, migration 5: the job types each worker node has handlers for (a JSON array; NULL from a node
-- of an earlier release, which is taken to know every type). Stats list the types with pending jobs that neither the
-- answering process nor any live node knows: "no worker for this type". {schema} is the configured schema, quoted.
ALTER TABLE {schema}.nodes ADD COLUMN kinds text;
