-- late_set: the dossiers behind every "late" count, for the period [$start, $end) and the filters.
--   $view = 'late'     resolved late in the period (completed in the period, after due_at) = form's resolved_late
--           'overdue'  not completed by the period's end, due before it                      = form's pending_overdue
--           'all'      both of the above
--           'excused'  late or overdue by the dates alone, but in time by the form's rules: returned (tra_lai)
--                      completed in the period after due_at, or waiting for the citizen's supplement (tam_dung)
--                      at the period's end with due_at before it
--           'at_risk'  open (not completed, not withdrawn), due after $as_of and by the end of the $days-th
--                      working day after it (early warning)
--   at_risk is judged at $as_of (which may be in the past): open then = received by $as_of, not completed by it.
--   count_reason: why the dossier is counted where it is (config.COUNT_REASONS labels the codes).
--   $unit, $level, $field, $handler: NULL for all.
-- working_days_late: working days (Mon–Fri minus holidays) from the due date to the completion date, or to
-- $ref_date for dossiers still open; a dossier late by less than one working day counts 1.
WITH today AS (SELECT wd_index FROM calendar WHERE date = CAST($as_of AS DATE)),
ref AS (SELECT wd_index FROM calendar WHERE date = CAST($ref_date AS DATE)),
horizon AS ({{ late_horizon }})
SELECT d.dossier_id, d.unit_code, u.unit_name, u.level, d.procedure_code, d.procedure_name, d.field, d.channel,
       d.received_at, d.due_at, d.completed_at, d.status, d.handler, d.late_reason, d.applicant_name,
       CASE WHEN $view = 'at_risk' THEN 'at_risk'
            WHEN d.status = 'tra_lai' AND d.completed_at < $end THEN 'returned'
            WHEN d.status = 'tam_dung' AND waiting THEN 'awaiting_supplement'
            WHEN d.completed_at IS NOT NULL AND d.completed_at < $end AND d.completed_at > d.due_at THEN 'late'
            ELSE 'overdue' END AS category,
       CASE WHEN $view = 'at_risk' THEN 'open_due_soon'
            WHEN d.status = 'tra_lai' AND d.completed_at < $end THEN 'returned_after_due'
            WHEN d.status = 'tam_dung' AND waiting THEN 'awaiting_supplement'
            WHEN d.completed_at IS NOT NULL AND d.completed_at < $end AND d.completed_at > d.due_at THEN 'completed_after_due'
            WHEN d.status = 'tam_dung' THEN 'open_past_due_supplement_later'
            ELSE 'open_past_due' END AS count_reason,
       CASE WHEN d.completed_at IS NOT NULL AND d.completed_at < $end AND d.completed_at > d.due_at
            THEN greatest(1, cc.wd_index - cd.wd_index)
            WHEN $view <> 'at_risk' AND d.due_at < $end AND d.due_at <= $as_of THEN greatest(1, ref.wd_index - cd.wd_index)
       END AS working_days_late,
       CASE WHEN $view = 'at_risk' THEN cd.wd_index - today.wd_index END AS working_days_left
FROM (SELECT *, status = 'tam_dung' AND (completed_at IS NULL OR completed_at >= $end)
                AND coalesce(supplement_requested_at, received_at) < $end AS waiting
      FROM dossiers) d
LEFT JOIN units u ON u.unit_code = d.unit_code
LEFT JOIN calendar cd ON cd.date = CAST(d.due_at AS DATE)
LEFT JOIN calendar cc ON cc.date = CAST(d.completed_at AS DATE)
CROSS JOIN today CROSS JOIN ref CROSS JOIN horizon
WHERE d.status <> 'rut'
  -- implied by every view below; stated apart so DuckDB filters the dossiers before the joins (6× at 10 M)
  AND (d.completed_at IS NULL OR d.completed_at >= (CASE WHEN $view = 'at_risk' THEN $as_of ELSE $start END))
  AND ($unit IS NULL OR d.unit_code = $unit)
  AND ($level IS NULL OR u.level = $level)
  AND ($field IS NULL OR d.field = $field)
  AND ($handler IS NULL OR d.handler = $handler)
  AND (
      ($view IN ('late', 'all') AND d.received_at < $end AND d.status <> 'tra_lai'
           AND d.completed_at >= $start AND d.completed_at < $end AND d.completed_at > d.due_at)
   OR ($view IN ('overdue', 'all') AND d.received_at < $end AND NOT d.waiting
           AND (d.completed_at IS NULL OR d.completed_at >= $end) AND d.due_at < $end)
   OR ($view = 'excused' AND d.received_at < $end
           AND ((d.status = 'tra_lai' AND d.completed_at >= $start AND d.completed_at < $end AND d.completed_at > d.due_at)
                OR (d.waiting AND d.due_at < $end)))
   OR ($view = 'at_risk' AND d.received_at <= $as_of AND (d.completed_at IS NULL OR d.completed_at > $as_of)
           AND d.due_at > $as_of AND d.due_at < horizon.until)
  )
