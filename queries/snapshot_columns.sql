-- snapshot_columns: every table and column of the attached snapshot (to build a reader's scoped views).
SELECT table_name, column_name FROM duckdb_columns()
WHERE database_name = 'db' AND schema_name = 'main'
ORDER BY table_name, column_index;
