-- staging: the empty temp table that collects the accepted rows of one import batch for one table (run for every
-- table a batch writes: the input kinds and boundaries; ingest.load.STAGED): `staged_<table>`, its columns.
CREATE OR REPLACE TEMP TABLE ${staged} AS SELECT * FROM query_table($table) LIMIT 0;
