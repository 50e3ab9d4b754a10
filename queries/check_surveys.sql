-- check_surveys: type and validate satisfaction responses; accepted rows go to staged_surveys.
CREATE OR REPLACE TEMP TABLE checked AS
WITH t AS (
    SELECT r._line, r AS _row, _text(r.response_id) AS response_id, _text(r.unit_code) AS unit_code,
        _ts(r.answered_at) AS answered_at, _text(r.dossier_id) AS dossier_id, _enum('rating', r.rating) AS rating
    FROM raw_numbered r
)
SELECT _line, response_id AS _key,
    list_filter([
        _required('response_id', response_id),
        _unit_ref('unit_code', unit_code),
        _required_ts('answered_at', _row.answered_at, answered_at),
        CASE WHEN _blank(_row.rating) THEN _missing('rating')
             WHEN rating IS NULL THEN _bad_value('rating', _row.rating, 'mức độ hài lòng') END
    ], lambda e: e IS NOT NULL) AS _errors,
    response_id, unit_code, answered_at, dossier_id, rating
FROM t;
INSERT INTO staged_surveys BY NAME
SELECT * EXCLUDE (_line, _key, _errors), $seq AS import_seq FROM checked WHERE len(_errors) = 0;
