-- copy_old_tables: which tables the published database (attached as `old`) has; tables added by a later
-- version of the schema are copied only when the old file has them (copy_old_skipped, copy_old_conflicts).
SELECT table_name FROM duckdb_tables() WHERE database_name = 'cchc_published';
