-- check_plan_tasks: type and validate reform plan tasks; accepted rows go to staged_plan_tasks.
CREATE OR REPLACE TEMP TABLE checked AS
WITH t AS (
    SELECT r._line, r AS _row, _int(r.year) AS year, _int(r.area) AS area, _text(r.task_id) AS task_id,
        _text(r.title) AS title, _text(r.owner_unit) AS owner_unit,
        CAST(_ts(r.due_date) AS DATE) AS due_date, CAST(_ts(r.done_date) AS DATE) AS done_date
    FROM raw_numbered r
)
SELECT _line, year || '/' || task_id AS _key,
    list_filter([
        CASE WHEN year IS NULL OR year NOT BETWEEN 2000 AND 2100 THEN _bad_value('year', coalesce(_row.year, ''), 'năm') END,
        CASE WHEN area IS NULL OR area NOT BETWEEN 1 AND 7 THEN _bad_value('area', coalesce(_row.area, ''), 'lĩnh vực cải cách (1–7)') END,
        _required('task_id', task_id),
        _required('title', title),
        CASE WHEN _blank(_row.due_date) THEN _missing('due_date')
             WHEN due_date IS NULL THEN _bad_value('due_date', _row.due_date, 'ngày') END,
        CASE WHEN _bad(_row.done_date, done_date) THEN _bad_value('done_date', _row.done_date, 'ngày') END
    ], lambda e: e IS NOT NULL) AS _errors,
    year, area, task_id, title, owner_unit, due_date, done_date
FROM t;
INSERT INTO staged_plan_tasks BY NAME
SELECT * EXCLUDE (_line, _key, _errors), $seq AS import_seq FROM checked WHERE len(_errors) = 0;
