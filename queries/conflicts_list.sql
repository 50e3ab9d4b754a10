-- conflicts_list: rows not applied because they would move a completed dossier back to open with an older or
-- unknown version, newest import first.
SELECT c.import_seq, c.file_name, c.line, c.dossier_id, c.incoming_status, c.incoming_version,
       c.incoming_version_source, c.kept_status, c.kept_completed_at, c.kept_version, c.kept_file, c.reason,
       i.imported_at
FROM conflicts c LEFT JOIN imports i ON i.import_seq = c.import_seq AND i.file_name = c.file_name
ORDER BY c.import_seq DESC, c.file_name, c.line;
