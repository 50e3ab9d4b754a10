-- weekly_counts_scan: weekly_counts straight from the dossiers (reference for weekly_counts, which reads `daily`).
-- Resolved figures by the week of completion, received figures by the week of receipt. $unit NULL = all.
WITH resolved AS (
    SELECT date_trunc('week', completed_at) AS week, count(*) AS resolved_total,
           count(*) FILTER (WHERE completed_at <= due_at) AS resolved_in_time,
           count(*) FILTER (WHERE completed_at > due_at) AS resolved_late,
           count(*) FILTER (WHERE e_result) AS e_result
    FROM dossiers
    WHERE status <> 'rut' AND completed_at >= $start AND completed_at < $end AND received_at < $end
      AND ($unit IS NULL OR unit_code = $unit)
    GROUP BY 1
), received AS (
    SELECT date_trunc('week', received_at) AS week, count(*) AS received_new,
           count(*) FILTER (WHERE channel = 'truc_tuyen') AS received_online,
           count(*) FILTER (WHERE has_fee) AS fee_dossiers,
           count(*) FILTER (WHERE has_fee AND paid_online) AS paid_online,
           count(*) FILTER (WHERE digitized) AS digitized
    FROM dossiers
    WHERE status <> 'rut' AND received_at >= $start AND received_at < $end
      AND ($unit IS NULL OR unit_code = $unit)
    GROUP BY 1
), survey AS (
    SELECT date_trunc('week', answered_at) AS week, count(*) AS responses,
           count(*) FILTER (WHERE rating IN ('rat_hai_long', 'hai_long')) AS satisfied
    FROM surveys
    WHERE answered_at >= $start AND answered_at < $end AND ($unit IS NULL OR unit_code = $unit)
    GROUP BY 1
)
SELECT CAST(week AS DATE) AS week, coalesce(resolved_total, 0) AS resolved_total,
       coalesce(resolved_in_time, 0) AS resolved_in_time, coalesce(resolved_late, 0) AS resolved_late,
       coalesce(e_result, 0) AS e_result, coalesce(received_new, 0) AS received_new,
       coalesce(received_online, 0) AS received_online, coalesce(fee_dossiers, 0) AS fee_dossiers,
       coalesce(paid_online, 0) AS paid_online, coalesce(digitized, 0) AS digitized,
       coalesce(responses, 0) AS responses, coalesce(satisfied, 0) AS satisfied
FROM resolved FULL JOIN received USING (week) FULL JOIN survey USING (week)
ORDER BY week;
