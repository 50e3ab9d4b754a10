-- raw_clock_set: the dossiers resolved in [$start, $end) or still open at $end, judged on two clocks:
--   adjusted: against due_at in force (lawful pauses included): the official "late" (resolved_late + pending_overdue;
--             so neither a returned dossier, tra_lai, completed in the period, nor one waiting for the citizen's
--             supplement, tam_dung, at $end: the form counts both in time);
--   raw: against received + the procedure's statutory working days (`procedures`), holidays excluded; a 0-day
--        procedure received at or after 15:00 is due the next working day. Same time of day as due_at.
-- (A returned dossier without a completion date is judged like any open one, as the form does: not in time by rule.)
-- The moment judged is the completion, or $end for a dossier still open then. $unit NULL = all units.
WITH wd_date AS (SELECT wd_index, min(date) AS date FROM calendar WHERE is_working GROUP BY wd_index),
d AS (
    SELECT d.dossier_id, d.unit_code, d.procedure_code, d.procedure_name, d.field, d.status, d.handler,
           d.late_reason, d.received_at, d.due_at, d.completed_at, p.statutory_days,
           cr.wd_index + p.statutory_days
               + CASE WHEN p.statutory_days = 0 AND hour(d.received_at) >= 15 THEN 1 ELSE 0 END AS raw_index,
           CASE WHEN d.completed_at < $end THEN d.completed_at ELSE $end END AS judged_at,
           (d.status = 'tra_lai' AND coalesce(d.completed_at < $end, false))
           OR (d.status = 'tam_dung' AND (d.completed_at IS NULL OR d.completed_at >= $end)
               AND coalesce(d.supplement_requested_at, d.received_at) < $end) AS form_in_time
    FROM dossiers d
    JOIN calendar cr ON cr.date = CAST(d.received_at AS DATE)
    LEFT JOIN procedures p ON p.procedure_code = d.procedure_code
    WHERE d.status <> 'rut' AND d.received_at < $end AND (d.completed_at IS NULL OR d.completed_at >= $start)
      AND ($unit IS NULL OR d.unit_code = $unit)
)
SELECT d.* EXCLUDE (raw_index, form_in_time),
       CAST(w.date AS TIMESTAMP) + (d.due_at - date_trunc('day', d.due_at)) AS raw_due_at,
       d.judged_at > d.due_at AND NOT d.form_in_time AS late_adjusted,
       CASE WHEN w.date IS NULL THEN NULL
            ELSE d.judged_at > CAST(w.date AS TIMESTAMP) + (d.due_at - date_trunc('day', d.due_at)) END AS late_raw
FROM d LEFT JOIN wd_date w ON w.wd_index = d.raw_index
