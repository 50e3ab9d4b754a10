-- plan_tasks_year: the reform plan's tasks of $year with their state as of $as_of:
-- done on time, done late, overdue (not done, due date passed) or not yet due.
SELECT area, task_id, title, owner_unit, u.unit_name AS owner_name, due_date, done_date,
       CASE WHEN done_date IS NOT NULL AND done_date <= due_date THEN 'done_on_time'
            WHEN done_date IS NOT NULL THEN 'done_late'
            WHEN due_date < $as_of THEN 'overdue'
            ELSE 'not_due' END AS state
FROM plan_tasks p LEFT JOIN units u ON u.unit_code = p.owner_unit
WHERE year = $year
ORDER BY area, due_date, task_id;
