-- read_csv_plain: the lines of the file just read that are one plain record each (`read._plain_lines`), as the file
-- has them (its own delimiter), added to `raw` in file order; `raw_lines` gives each its line (`_plain_lines`).
-- No rejects table: such a line can hold no CSV error, so any error here means the check was wrong and the
-- caller reads the whole file through the csv module instead.
INSERT INTO raw BY NAME
SELECT row_number() OVER () AS _rec, *
FROM read_csv($path, all_varchar = true, header = false, names = $names, delim = $delim,
              quote = '"', escape = '"', new_line = '\n', null_padding = false, max_line_size = 10000000);
