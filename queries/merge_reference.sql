-- merge_reference: fold a batch's accepted rows of one reference table (units, targets, holidays…: every input
-- kind but the dossiers, and boundaries) into it: for the kind's key the later import wins, and the table is stored
-- sorted by the kind's order (both in dashboard/input_kinds.csv). Table, staged table, key and order are identifiers
-- from that configuration (db.run_per_table: plain names, quoted), no value from input. (Measured on the 12 tables
-- of an empty batch: reading through query_table($table) and a key bound as a list, picked by COLUMNS(lambda …)
-- into a struct, gives the same rows with 6 ms more CPU per import than these spelled names.)
-- Rows with NULL in a key column (an event of the whole city) share that key, as PARTITION BY groups NULLs.
CREATE OR REPLACE TEMP TABLE _merged AS
SELECT * FROM (SELECT * FROM ${table} UNION ALL BY NAME SELECT * FROM ${staged})
QUALIFY row_number() OVER (PARTITION BY ${key} ORDER BY import_seq DESC) = 1;
DELETE FROM ${table};
INSERT INTO ${table} BY NAME SELECT * FROM _merged ORDER BY ${order};
