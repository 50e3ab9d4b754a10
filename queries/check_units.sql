-- check_units: type and validate a units list; accepted rows go to staged_units.
-- valid_from / valid_to are optional (a units.csv without them loads as before).
CREATE OR REPLACE TEMP TABLE checked AS
WITH t AS (
    SELECT r._line, r AS _row, _text(r.unit_code) AS unit_code, _text(r.unit_name) AS unit_name,
        _enum('unit_kind', r.unit_kind) AS unit_kind, _text(r.parent_code) AS parent_code,
        _enum('level', r.level) AS level,
        CAST(_ts(r.valid_from) AS DATE) AS valid_from, CAST(_ts(r.valid_to) AS DATE) AS valid_to
    FROM raw_numbered r
)
SELECT _line, unit_code AS _key,
    list_filter([
        _required('unit_code', unit_code),
        _required('unit_name', unit_name),
        CASE WHEN NOT _blank(_row.unit_kind) AND unit_kind IS NULL
             THEN _bad_value('unit_kind', _row.unit_kind, 'loại đơn vị') END,
        CASE WHEN _blank(_row.level) THEN _missing('level')
             WHEN level IS NULL THEN _bad_value('level', _row.level, 'cấp (city/ward)') END,
        CASE WHEN _bad(_row.valid_from, valid_from) THEN _bad_value('valid_from', _row.valid_from, 'ngày') END,
        CASE WHEN _bad(_row.valid_to, valid_to) THEN _bad_value('valid_to', _row.valid_to, 'ngày')
             WHEN valid_to < valid_from THEN _err('valid_to', 'ngày hết hiệu lực trước ngày có hiệu lực') END
    ], lambda e: e IS NOT NULL) AS _errors,
    unit_code, unit_name, unit_kind, parent_code, level, valid_from, valid_to
FROM t;
INSERT INTO staged_units BY NAME
SELECT * EXCLUDE (_line, _key, _errors), $seq AS import_seq FROM checked WHERE len(_errors) = 0;
