-- at_risk: open dossiers (not completed, not withdrawn) due after $as_of and no later than the end of the
-- $days-th working day after $as_of's date (working days: Mon–Fri minus holidays, from `calendar`).
WITH today AS (SELECT wd_index FROM calendar WHERE date = CAST($as_of AS DATE)),
horizon AS (
    SELECT min(c.date) + INTERVAL 1 DAY AS until
    FROM calendar c, today WHERE c.is_working AND c.wd_index = today.wd_index + $days
)
SELECT d.dossier_id, d.unit_code, u.unit_name, d.procedure_code, d.procedure_name, d.field, d.channel,
       d.received_at, d.due_at, d.handler, d.status,
       CAST(cd.wd_index - today.wd_index AS INTEGER) AS working_days_left
FROM dossiers d
JOIN calendar cd ON cd.date = CAST(d.due_at AS DATE)
CROSS JOIN today CROSS JOIN horizon
LEFT JOIN units u ON u.unit_code = d.unit_code
WHERE d.completed_at IS NULL AND d.status <> 'rut'
  AND d.due_at > $as_of AND d.due_at < horizon.until
  AND ($unit IS NULL OR d.unit_code = $unit)
ORDER BY d.due_at, d.unit_code, d.dossier_id;
