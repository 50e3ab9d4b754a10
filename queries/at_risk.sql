-- at_risk: open dossiers (not completed, not withdrawn) whose due_at falls after $as_of and on or before the
-- end of the $days-th working day after $as_of's date: late_set's early-warning view.
SELECT dossier_id, unit_code, unit_name, procedure_code, procedure_name, field, channel, received_at, due_at,
       handler, status, CAST(working_days_left AS INTEGER) AS working_days_left
FROM ({{ late_set }}) s
ORDER BY due_at, unit_code, dossier_id;
