-- insert_rejects: quarantine the rows of `checked` that failed validation, one row per input row,
-- named by the first failing column (with the file's own header) and every reason.
INSERT INTO rejects
WITH h AS (SELECT map_from_entries(list({'key': canonical, 'value': label})) AS labels FROM _headers)
SELECT $seq, $file_name, c._line, $kind, c._key, c._errors[1].column_name,
       coalesce(map_extract_value(h.labels, c._errors[1].column_name), c._errors[1].column_name),
       array_to_string(list_transform(c._errors, lambda e: coalesce(map_extract_value(h.labels, e.column_name),
                                                                    e.column_name) || ': ' || e.reason), '; '),
       to_json(r) , NULL
FROM checked c JOIN raw_numbered r USING (_line), h
WHERE len(c._errors) > 0 AND c._skip IS NULL;
