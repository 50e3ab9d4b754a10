-- check_events: type and validate timeline events (a day or a range, a label, a kind, optionally one known unit);
-- accepted rows go to staged_events.
CREATE OR REPLACE TEMP TABLE checked AS
WITH t AS (
    SELECT r._line, r AS _row, CAST(_ts(r.start_date) AS DATE) AS start_date, CAST(_ts(r.end_date) AS DATE) AS end_date,
        _text(r.label) AS label, _enum('event_kind', r.kind) AS kind, _text(r.unit_code) AS unit_code
    FROM raw_numbered r
)
SELECT _line, CAST(start_date AS VARCHAR) || '|' || coalesce(unit_code, '') || '|' || coalesce(label, '') AS _key,
    list_filter([
        CASE WHEN _blank(_row.start_date) THEN _missing('start_date')
             WHEN start_date IS NULL THEN _bad_value('start_date', _row.start_date, 'ngày') END,
        CASE WHEN NOT _blank(_row.end_date) AND end_date IS NULL THEN _bad_value('end_date', _row.end_date, 'ngày')
             WHEN end_date < start_date THEN _err('end_date', 'ngày kết thúc trước ngày bắt đầu') END,
        CASE WHEN label IS NULL THEN _missing('label')
             WHEN length(label) > 200 THEN _err('label', 'dài ' || length(label) || ' ký tự, tối đa 200') END,
        CASE WHEN _blank(_row.kind) THEN _missing('kind')
             WHEN kind IS NULL THEN _bad_value('kind', _row.kind,
                  'loại sự kiện (reorganisation/outage/campaign/holiday/other)') END,
        CASE WHEN unit_code IS NOT NULL AND unit_code NOT IN (SELECT unit_code FROM known_units)
             THEN _err('unit_code', 'mã đơn vị không có trong danh mục đơn vị: «' || left(unit_code, 80) || '»') END
    ], lambda e: e IS NOT NULL) AS _errors,
    start_date, end_date, label, kind, unit_code
FROM t;
INSERT INTO staged_events BY NAME
SELECT * EXCLUDE (_line, _key, _errors), $seq AS import_seq FROM checked WHERE len(_errors) = 0;
