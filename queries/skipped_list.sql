-- skipped_list: rows skipped by the imports (blank, total, group, signature rows…), newest import first.
SELECT s.import_seq, s.file_name, s.line, s.kind, s.reason FROM skipped s
WHERE $import_seq IS NULL OR s.import_seq = $import_seq
ORDER BY s.import_seq DESC, s.file_name, s.line;
