-- staging: the empty temp table that collects the accepted rows of one import batch for one table (run for every
-- table a batch writes: the input kinds and boundaries; ingest.load.STAGED): `staged_<table>`, its columns.
-- Both names are identifiers from the configuration (db.run_per_table).
CREATE OR REPLACE TEMP TABLE ${staged} AS SELECT * FROM ${table} LIMIT 0;
