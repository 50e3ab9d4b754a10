-- insert_skipped: the rows of the file just checked that are not records (and the empty lines DuckDB passed
-- over, `_blank_lines`), with their line and why.
INSERT INTO skipped
SELECT $seq, $file_name, _line, $kind, _skip FROM checked WHERE _skip IS NOT NULL
UNION ALL
SELECT $seq, $file_name, line, $kind, 'dòng trống' FROM _blank_lines;
