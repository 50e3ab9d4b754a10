-- merge_reference: fold a batch's accepted rows of one reference table (units, targets, holidays…: every input
-- kind but the dossiers, and boundaries) into it: for a key ($key, the kind's key columns in
-- dashboard/input_kinds.csv) the later import wins, and the table is stored sorted by the kind's order.
-- The table and its order are identifiers from that configuration (db.run_per_table), the rest is bound.
-- (PARTITION BY takes no COLUMNS(...): the key is made a struct first; rows with NULL in a key column are one key.)
CREATE OR REPLACE TEMP TABLE _merged AS
WITH a AS (
    SELECT *, row(*COLUMNS(lambda c: list_contains($key, c))) AS _key
    FROM (SELECT * FROM query_table($table) UNION ALL BY NAME SELECT * FROM query_table($staged))
)
SELECT * EXCLUDE (_key) FROM a
QUALIFY row_number() OVER (PARTITION BY _key ORDER BY import_seq DESC) = 1;
DELETE FROM ${table};
INSERT INTO ${table} BY NAME SELECT * FROM _merged ORDER BY ${order};
