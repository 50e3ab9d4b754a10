-- check_targets: type and validate targets; accepted rows go to staged_targets.
CREATE OR REPLACE TEMP TABLE checked AS
WITH t AS (
    SELECT r._line, r AS _row, _int(r.year) AS year, _fold(r.kpi) AS kpi,
        _enum('comparator', r.comparator) AS comparator, _num(r.value) AS value,
        coalesce(CASE WHEN _fold(r.scope) IN ('all', 'tat_ca', 'toan_thanh_pho') THEN 'all' END,
                 CASE WHEN _fold(r.scope) LIKE 'level_%' THEN 'level:' || _enum('level', substr(_fold(r.scope), 7)) END,
                 _text(r.scope), 'all') AS scope,
        _text(r.source) AS source
    FROM raw_numbered r
)
SELECT _line, year || '/' || kpi || '/' || scope AS _key,
    list_filter([
        CASE WHEN year IS NULL OR year NOT BETWEEN 2000 AND 2100 THEN _bad_value('year', coalesce(_row.year, ''), 'năm') END,
        CASE WHEN kpi IS NULL OR kpi = '' THEN _missing('kpi')
             WHEN kpi NOT IN (SELECT name FROM _kpis) THEN _bad_value('kpi', _row.kpi, 'mã chỉ tiêu') END,
        CASE WHEN comparator IS NULL THEN _bad_value('comparator', coalesce(_row.comparator, ''), 'phép so sánh (>=, >, <=, top)') END,
        CASE WHEN value IS NULL THEN _bad_value('value', coalesce(_row.value, ''), 'giá trị số') END,
        CASE WHEN scope = 'level:' OR scope IS NULL THEN _bad_value('scope', coalesce(_row.scope, ''), 'phạm vi') END,
        -- the rule the pages apply to a stored target (metrics.targets.target_problem): finite, in range
        CASE WHEN kpi IN (SELECT name FROM _kpis) AND comparator IS NOT NULL AND _value IS NOT NULL AND _target_problem(kpi, comparator, _value) IS NOT NULL THEN _err('value', 'chỉ tiêu không hợp lệ: ' || _target_problem(kpi, comparator, _value)) END
    ], lambda e: e IS NOT NULL) AS _errors,
    year, kpi, comparator,
    _value AS value, scope, source
FROM (SELECT *,
          -- rates may be written as percentages (99 or 99%): stored as fractions
          CASE WHEN comparator <> 'top' AND value > 1 AND kpi LIKE '%_rate' THEN value / 100 ELSE value END AS _value
      FROM t);
INSERT INTO staged_targets BY NAME
SELECT * EXCLUDE (_line, _key, _errors), $seq AS import_seq FROM checked WHERE len(_errors) = 0;
