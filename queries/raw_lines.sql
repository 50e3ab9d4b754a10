-- raw_lines: give each raw record its line in the file. Records of the clean copy carry theirs (__line: CSV records
-- read by the csv module, XLSX rows); the plain records (__line NULL, numbered in file order by read_csv_plain)
-- take the n-th of `_plain_lines`, the physical lines they were read from.
CREATE OR REPLACE TEMP TABLE raw_numbered AS
WITH plain AS (SELECT line, row_number() OVER (ORDER BY line) AS _rec FROM _plain_lines)
SELECT r.* EXCLUDE (__line), coalesce(try_cast(r.__line AS BIGINT), p.line) AS _line
FROM raw r LEFT JOIN plain p ON r.__line IS NULL AND p._rec = r._rec
ORDER BY _line;
