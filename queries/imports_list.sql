-- imports_list: the import log, newest first.
SELECT import_seq, file_name, kind, encoding, rows_read, accepted, rejected, imported_at, imported_by, sha256
FROM imports ORDER BY import_seq DESC;
