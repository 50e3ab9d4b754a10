-- structure_rejects: records that were not valid CSV (an unclosed quote, text after a closing quote, more cells
-- than the header, a NUL byte), found when the file was read (`_structure`: line, reason), as rejects.
INSERT INTO rejects
SELECT $seq, $file_name, s.line, $kind, NULL, NULL, NULL, 'dòng sai cấu trúc CSV (' || s.reason || ')', NULL, NULL
FROM _structure s;
