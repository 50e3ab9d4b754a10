-- plan_completion: reform plan tasks of the period's year due by the period's end, per owner unit;
-- done on time = done_date on or before due_date (and before the period's end).
SELECT coalesce(owner_unit, '') AS unit_code,
       count(*) AS tasks_due,
       count(*) FILTER (WHERE done_date IS NOT NULL AND done_date <= due_date AND done_date < CAST($end AS DATE)) AS tasks_done_on_time,
       count(*) FILTER (WHERE done_date IS NOT NULL AND done_date < CAST($end AS DATE)) AS tasks_done
FROM plan_tasks
WHERE year = year(CAST($start AS DATE)) AND due_date < CAST($end AS DATE)
GROUP BY ALL ORDER BY 1;
