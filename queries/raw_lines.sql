-- raw_lines: give each raw record its line in the file. Records are numbered in file order;
-- lines DuckDB could not parse (reported in reject_errors) and empty lines it passed over (`_blank_lines`)
-- are skipped over so that the numbering follows the physical lines. An explicit __line column (XLSX rows)
-- takes precedence.
CREATE OR REPLACE TEMP TABLE raw_numbered AS
WITH bad AS (SELECT DISTINCT line FROM reject_errors UNION SELECT line FROM _blank_lines),
good_lines AS (
    SELECT line, row_number() OVER (ORDER BY line) AS _rec
    FROM range($first_line, $first_line + $n_records + (SELECT count(*) FROM bad)) t(line)
    WHERE line NOT IN (SELECT line FROM bad)
)
SELECT r.* EXCLUDE (__line), coalesce(try_cast(r.__line AS BIGINT), g.line) AS _line
FROM raw r LEFT JOIN good_lines g USING (_rec)
ORDER BY _rec;
