-- csv_errors: lines that were not valid CSV records, as rejects.
INSERT INTO rejects
SELECT $seq, $file_name, e.line, $kind, NULL, NULL, NULL,
       'dòng sai cấu trúc CSV (' || CASE e.error_type WHEN 'MISSING COLUMNS' THEN 'thiếu cột'
            WHEN 'TOO MANY COLUMNS' THEN 'thừa cột' WHEN 'UNQUOTED VALUE' THEN 'dấu nháy không đúng'
            ELSE lower(CAST(e.error_type AS VARCHAR)) END || '): ' || e.error_message,
       to_json({'csv_line': e.csv_line}), NULL
FROM (SELECT DISTINCT ON (line) * FROM reject_errors ORDER BY line, column_idx) e;
