-- rejects_list: quarantined rows, newest import first; $all = false hides rows fixed by a later import.
SELECT r.import_seq, r.file_name, r.line, r.kind, r.record_key, r.column_name, r.header, r.reason,
       CAST(r.raw AS VARCHAR) AS raw, r.resolved_by, i.imported_at
FROM rejects r LEFT JOIN imports i USING (import_seq)
WHERE $all OR r.resolved_by IS NULL
ORDER BY r.import_seq DESC, r.file_name, r.line;
