-- record_import: the per-file line of the import log.
INSERT INTO imports BY NAME
SELECT $seq AS import_seq, $file_name AS file_name, $file_path AS file_path, $sha256 AS sha256, $kind AS kind,
       $encoding AS encoding, $rows_read AS rows_read, $accepted AS accepted, $rejected AS rejected,
       $imported_at AS imported_at, $imported_by AS imported_by, $skipped AS skipped, $profile AS profile,
       $version_rule AS version_rule, $warnings AS warnings;
