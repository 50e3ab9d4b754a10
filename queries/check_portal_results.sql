-- check_portal_results: type and validate the portal's published 766 results; accepted rows go to
-- staged_portal_results. period: a period key (2026-Q3, 2026-07, 2026-H1, 2026); indicator: total, a group 1–6
-- or a sub-indicator (2.1); the unit must be known (ALL: the whole city); 0 <= score <= max_points <= 100.
CREATE OR REPLACE TEMP TABLE checked AS
WITH t AS (
    SELECT r._line, r AS _row, upper(_text(r.period)) AS period, _text(r.unit_code) AS unit_code,
        lower(_text(r.indicator)) AS indicator, _num(r.score) AS score, _num(r.max_points) AS max_points,
        _int(r.rank) AS rank
    FROM raw_numbered r
)
SELECT _line, period || '/' || unit_code || '/' || indicator AS _key,
    list_filter([
        CASE WHEN period IS NULL OR NOT regexp_full_match(period, '(19|20|21)[0-9]{2}(-(Q[1-4]|H[12]|0[1-9]|1[0-2]))?')
             THEN _bad_value('period', coalesce(_row.period, ''), 'kỳ (vd. 2026-Q3)') END,
        CASE WHEN unit_code IS NULL THEN _missing('unit_code')
             WHEN unit_code <> 'ALL' AND unit_code NOT IN (SELECT unit_code FROM known_units)
             THEN _err('unit_code', 'đơn vị «' || left(unit_code, 40) || '» chưa có trong danh sách đơn vị') END,
        CASE WHEN indicator IS NULL OR NOT regexp_full_match(indicator, 'total|[1-6]|[1-6]\.[1-9]')
             THEN _bad_value('indicator', coalesce(_row.indicator, ''), 'chỉ số (total, 1–6 hoặc 2.1…)') END,
        CASE WHEN max_points IS NULL OR max_points <= 0 OR max_points > 100
             THEN _bad_value('max_points', coalesce(_row.max_points, ''), 'điểm tối đa (0–100)') END,
        CASE WHEN score IS NULL OR score < 0 OR score > coalesce(max_points, 100)
             THEN _bad_value('score', coalesce(_row.score, ''), 'điểm (0 – điểm tối đa)') END,
        CASE WHEN NOT _blank(_row.rank) AND (rank IS NULL OR rank < 1) THEN _bad_value('rank', _row.rank, 'thứ hạng') END
    ], lambda e: e IS NOT NULL) AS _errors,
    period, unit_code, indicator, score, max_points, rank
FROM t;
INSERT INTO staged_portal_results BY NAME
SELECT * EXCLUDE (_line, _key, _errors), $seq AS import_seq FROM checked WHERE len(_errors) = 0;
