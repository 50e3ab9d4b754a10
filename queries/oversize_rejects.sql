-- oversize_rejects: physical lines too long to be a record (a giant cell) were replaced by a marker
-- when the file was read (same line number); reject them here with their size, keep the rest.
INSERT INTO rejects
SELECT $seq, $file_name, o.line, $kind, NULL, NULL, NULL,
       'dòng dài ' || o.chars || ' ký tự, vượt giới hạn ' || $limit || ' ký tự một dòng (có ô dữ liệu quá lớn): không nạp dòng này',
       NULL, NULL
FROM _oversize o;
DELETE FROM raw_numbered WHERE _line IN (SELECT line FROM _oversize);
