-- short_rows: records with fewer cells than the header (`_short`: line, cells), padded when the file was read.
-- One that is not a skipped row (a footer, a signature block, a group or blank row: `_class`, or an all-blank
-- record) is a structure error: rejected with its line and removed before the rows are checked.
CREATE OR REPLACE TEMP TABLE _short_bad AS
SELECT s.line, s.cells FROM _short s
WHERE s.line NOT IN (SELECT _line FROM _class WHERE reason IS NOT NULL)
  AND s.line NOT IN (SELECT _line FROM (SELECT _line, list_value(*COLUMNS(* EXCLUDE (_rec, _line))) AS cells
                                         FROM raw_numbered)
                     WHERE len(list_filter(cells, lambda x: NOT _blank(x))) = 0);
INSERT INTO rejects
SELECT $seq, $file_name, b.line, $kind, NULL, NULL, NULL,
       'dòng sai cấu trúc CSV (thiếu cột): ' || b.cells || ' ô, tiêu đề có ' || $width || ' cột', NULL, NULL
FROM _short_bad b;
DELETE FROM raw_numbered WHERE _line IN (SELECT line FROM _short_bad);
