-- structure_rejects: records that were not valid CSV (an unclosed quote, text after a closing quote, more cells
-- than the header, a NUL byte, a multi-line record that swallowed whole lines), found when the file was read
-- (`_structure`: line, reason, the column and its header when one cell is to blame), as rejects.
INSERT INTO rejects
SELECT $seq, $file_name, s.line, $kind, NULL, s.column_name, s.header, 'dòng sai cấu trúc CSV (' || s.reason || ')',
       NULL, NULL
FROM _structure s;
