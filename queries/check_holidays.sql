-- check_holidays: type and validate public holidays; accepted rows go to staged_holidays.
CREATE OR REPLACE TEMP TABLE checked AS
WITH t AS (
    SELECT r._line, r AS _row, CAST(_ts(r.date) AS DATE) AS date, _text(r.name) AS name FROM raw_numbered r
)
SELECT _line, CAST(date AS VARCHAR) AS _key,
    list_filter([
        CASE WHEN _blank(_row.date) THEN _missing('date') WHEN date IS NULL THEN _bad_value('date', _row.date, 'ngày') END,
        _required('name', name)
    ], lambda e: e IS NOT NULL) AS _errors,
    date, name
FROM t;
INSERT INTO staged_holidays BY NAME
SELECT * EXCLUDE (_line, _key, _errors), $seq AS import_seq FROM checked WHERE len(_errors) = 0;
