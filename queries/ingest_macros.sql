-- ingest_macros: parsing helpers for raw text cells (all inputs are read as VARCHAR first).
-- Fold a label or enum value: accents, đ, case and punctuation ignored ("Trực tuyến" -> "truc_tuyen").
CREATE OR REPLACE TEMP MACRO _fold(s) AS
    trim(regexp_replace(lower(strip_accents(replace(replace(nfc_normalize(trim(s)), 'đ', 'd'), 'Đ', 'D'))),
                        '[^a-z0-9<>=≥≤]+', '_', 'g'), '_');
CREATE OR REPLACE TEMP MACRO _blank(s) AS s IS NULL OR trim(s) = '';
-- text arrives NFC-normalised (read.py normalises every file before DuckDB reads it)
CREATE OR REPLACE TEMP MACRO _text(s) AS nullif(trim(s), '');  -- NULL when blank (one trim, not two)
-- Dates: dd/mm/yyyy[ HH:MM[:SS]], ISO 8601 (with or without offset), or an Excel serial day number.
-- One format per try_strptime, most common first: coalesce stops at the first that parses (a list of
-- formats in a single call is ~10x slower on a million rows).
-- Vietnamese AM/PM: "8:05 SA" (sáng), "2:30 CH" (chiều)
CREATE OR REPLACE TEMP MACRO _ampm(t) AS regexp_replace(regexp_replace(t, '(?i)\bSA\b', 'AM'), '(?i)\bCH\b', 'PM');
-- two-digit years typed by hand ("09/03/26" is 2026, never the year 26)
CREATE OR REPLACE TEMP MACRO _ts_yy(t) AS coalesce(
    try_strptime(t, '%d/%m/%y %H:%M'), try_strptime(t, '%d/%m/%y'), try_strptime(t, '%d/%m/%y %H:%M:%S'),
    try_strptime(_ampm(t), '%d/%m/%y %I:%M %p'));
CREATE OR REPLACE TEMP MACRO _ts_ampm(t) AS coalesce(
    try_strptime(t, '%d/%m/%Y %I:%M %p'), try_strptime(t, '%d/%m/%Y %I:%M:%S %p'),
    try_strptime(t, '%I:%M %p %d/%m/%Y'), try_strptime(t, '%I:%M:%S %p %d/%m/%Y'),
    try_strptime(t, '%I:%M %p, %d/%m/%Y'), try_strptime(t, '%Y-%m-%d %I:%M:%S %p'));
CREATE OR REPLACE TEMP MACRO _ts_core(t) AS coalesce(
    CASE WHEN length(split_part(split_part(t, ' ', 1), '/', 3)) = 2 THEN _ts_yy(t) END,
    try_strptime(t, '%d/%m/%Y %H:%M'), try_strptime(t, '%d/%m/%Y %H:%M:%S'), try_strptime(t, '%d/%m/%Y'),
    try_strptime(t, '%Y-%m-%d %H:%M:%S'), try_strptime(t, '%Y-%m-%dT%H:%M:%S'), try_strptime(t, '%Y-%m-%d'),
    try_strptime(t, '%Y-%m-%d %H:%M'), try_strptime(t, '%Y-%m-%dT%H:%M'), try_strptime(t, '%d-%m-%Y %H:%M'),
    try_strptime(t, '%d-%m-%Y'), try_strptime(t, '%d.%m.%Y'),
    CASE WHEN regexp_matches(t, '(Z|[+-]\d\d:?\d\d)$')
         THEN timezone('Asia/Ho_Chi_Minh', try_cast(t AS TIMESTAMPTZ)) END,
    CASE WHEN NOT regexp_matches(t, '(Z|[+-]\d\d:?\d\d)$') THEN try_cast(t AS TIMESTAMP) END,
    CASE WHEN regexp_matches(t, '^\d{5}(\.\d+)?$') AND try_cast(t AS DOUBLE) BETWEEN 20000 AND 80000
         THEN TIMESTAMP '1899-12-30' + to_microseconds(CAST(round(try_cast(t AS DOUBLE) * 86400e6) AS BIGINT)) END,
    CASE WHEN regexp_matches(t, '(?i)\b(SA|CH|AM|PM)\b') THEN _ts_ampm(_ampm(t)) END);
-- The shapes nearly every export uses are tried first, by their length alone (no trim, no split): at these lengths a
-- value that parses has a 4-digit year (16 = dd/mm/yyyy HH:MM leaves at least 4 digits to the year, 19 with :SS too,
-- 10 = dd/mm/yyyy), and no earlier format of _ts_core can parse it, so the result is the one _ts_core gives.
CREATE OR REPLACE TEMP MACRO _ts(s) AS coalesce(
    CASE length(s) WHEN 16 THEN try_strptime(s, '%d/%m/%Y %H:%M') WHEN 19 THEN try_strptime(s, '%d/%m/%Y %H:%M:%S')
                   WHEN 10 THEN try_strptime(s, '%d/%m/%Y') END,
    CASE WHEN _blank(s) THEN NULL ELSE _ts_core(trim(s)) END);
-- a cell that has a value but did not parse (`parsed` is the already computed result)
CREATE OR REPLACE TEMP MACRO _bad(s, parsed) AS NOT _blank(s) AND parsed IS NULL;
-- (a blank or unknown word is in neither list: NULL; list_contains, not IN: no join per boolean column)
CREATE OR REPLACE TEMP MACRO _bool(s) AS CASE
    WHEN list_contains(['1', 'true', 't', 'có', 'co', 'c', 'x', 'yes', 'y', 'đúng', 'dung', '1.0'], lower(trim(s))) THEN true
    WHEN list_contains(['0', 'false', 'f', 'không', 'khong', 'k', 'no', 'n', 'sai', '0.0'], lower(trim(s))) THEN false END;
-- Numbers with Vietnamese separators: "1.245" = 1245, "98,56" = 98.56, "1.245,5"; "99%" = 0.99.
-- Only finite numbers: "inf", "nan", "1e999" are not numbers (a reject, never a stored NaN/Infinity).
CREATE OR REPLACE TEMP MACRO _finite(x) AS CASE WHEN isfinite(x) THEN x END;
CREATE OR REPLACE TEMP MACRO _num_core(t) AS _finite(try_cast(CASE
    WHEN t LIKE '%,%' AND t LIKE '%.%' THEN replace(replace(t, '.', ''), ',', '.')
    WHEN t LIKE '%,%' THEN replace(t, ',', '.')
    WHEN regexp_matches(t, '^-?\d{1,3}(\.\d{3})+$') THEN replace(t, '.', '')
    ELSE t END AS DOUBLE));
CREATE OR REPLACE TEMP MACRO _num(s) AS CASE
    WHEN _blank(s) THEN NULL
    WHEN trim(s) LIKE '%\%%' ESCAPE '\' THEN _num_core(trim(replace(replace(trim(s), '%', ''), ' ', ''))) / 100
    ELSE _num_core(replace(replace(trim(s), ' ', ''), chr(160), '')) END;
-- whole numbers within ±10^15 (a year, a rank, a day count): "1e30" is not an integer that fits
CREATE OR REPLACE TEMP MACRO _int(s) AS CASE WHEN _num(s) = floor(_num(s)) AND abs(_num(s)) < 1e15 THEN CAST(_num(s) AS BIGINT) END;
CREATE OR REPLACE TEMP MACRO _enum(enum_kind, s) AS
    (SELECT value FROM _enum_alias a WHERE a.kind = enum_kind AND a.alias = _fold(s) LIMIT 1);
CREATE OR REPLACE TEMP MACRO _err(col, reason) AS {'column_name': col, 'reason': reason};
CREATE OR REPLACE TEMP MACRO _missing(col) AS _err(col, 'thiếu giá trị bắt buộc');
CREATE OR REPLACE TEMP MACRO _bad_value(col, s, what) AS _err(col, what || ' không hợp lệ: «' || left(s, 80) || '»');
-- a date written without a time of day (a due date then means the end of that day)
CREATE OR REPLACE TEMP MACRO _date_only(s) AS CASE WHEN contains(s, ':') THEN false
    ELSE NOT _blank(s) AND NOT regexp_matches(trim(s), '^\d+\.\d+$') END;
-- a parsed date outside [lo, hi]: before 2000 (a typo) or after the import moment (it would move "now")
CREATE OR REPLACE TEMP MACRO _out_of_range(col, ts, s, lo, hi) AS CASE
    WHEN ts < lo THEN _err(col, 'ngày «' || s || '» trước năm ' || year(lo) || ' (nhập nhầm?)')
    WHEN ts > hi THEN _err(col, 'ngày «' || s || '» sau thời điểm nạp ' || strftime(hi, '%d/%m/%Y %H:%M') || ' (nhập nhầm?)') END;
-- a required value: missing (the typed value is NULL: the cell was blank)
CREATE OR REPLACE TEMP MACRO _required(col, v) AS CASE WHEN v IS NULL THEN _missing(col) END;
-- a required unit code: missing, or not in the units catalogue (known_units) of this import
CREATE OR REPLACE TEMP MACRO _unit_ref(col, code) AS CASE
    WHEN code IS NULL THEN _missing(col)
    WHEN code NOT IN (SELECT unit_code FROM known_units)
    THEN _err(col, 'mã đơn vị «' || left(code, 40) || '» không có trong danh mục đơn vị') END;
-- a required date or time: missing, or not a date
CREATE OR REPLACE TEMP MACRO _required_ts(col, s, ts) AS CASE
    WHEN _blank(s) THEN _missing(col)
    WHEN ts IS NULL THEN _bad_value(col, s, 'ngày') END;
