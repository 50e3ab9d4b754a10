-- check_petitions: type and validate petitions (phản ánh, kiến nghị — PAKN) for the 766 indicators 5.2 and 5.3;
-- accepted rows go to staged_petitions.
CREATE OR REPLACE TEMP TABLE checked AS
WITH t AS (
    SELECT r._line, r AS _row, _text(r.petition_id) AS petition_id, _text(r.unit_code) AS unit_code,
        _ts(r.received_at) AS received_at, _text(r.category) AS category, _ts(r.handled_at) AS handled_at,
        _bool(r.refused) AS refused, _enum('rating', r.rating) AS rating
    FROM raw_numbered r
)
SELECT _line, petition_id AS _key,
    list_filter([
        _required('petition_id', petition_id),
        _unit_ref('unit_code', unit_code),
        _required_ts('received_at', _row.received_at, received_at),
        CASE WHEN _bad(_row.handled_at, handled_at) THEN _bad_value('handled_at', _row.handled_at, 'ngày')
             WHEN handled_at < received_at THEN _err('handled_at', 'ngày xử lý trước ngày tiếp nhận') END,
        CASE WHEN _bad(_row.refused, refused) THEN _bad_value('refused', _row.refused, 'giá trị có/không') END,
        CASE WHEN NOT _blank(_row.rating) AND rating IS NULL THEN _bad_value('rating', _row.rating, 'mức độ hài lòng') END
    ], lambda e: e IS NOT NULL) AS _errors,
    petition_id, unit_code, received_at, category, handled_at, refused, rating
FROM t;
INSERT INTO staged_petitions BY NAME
SELECT * EXCLUDE (_line, _key, _errors), $seq AS import_seq FROM checked WHERE len(_errors) = 0;
