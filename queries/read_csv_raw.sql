-- read_csv_raw: one input file, every cell as text, columns renamed to canonical names.
-- Missing optional columns come from the kind's empty template; malformed lines go to reject_errors.
DROP TABLE IF EXISTS reject_errors;
DROP TABLE IF EXISTS reject_scans;
CREATE OR REPLACE TEMP TABLE raw AS
SELECT * FROM _template
UNION ALL BY NAME
SELECT row_number() OVER () AS _rec, *
FROM read_csv($path, all_varchar = true, header = false, skip = $skip, names = $names, delim = $delim,
              quote = '"', escape = '"', new_line = '\n', store_rejects = true, null_padding = false,
              max_line_size = 10000000);
