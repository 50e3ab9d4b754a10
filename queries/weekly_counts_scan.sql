-- weekly_counts_scan: weekly_counts straight from the dossiers (reference for weekly_counts, which reads `daily`).
-- Resolved figures by the week of completion, received figures by the week of receipt. $unit NULL = all.
WITH resolved AS (
    SELECT date_trunc('week', completed_at) AS week, count(*) AS resolved_total,
           count(*) FILTER (WHERE completed_at <= due_at OR status = 'tra_lai') AS resolved_in_time,
           count(*) FILTER (WHERE completed_at > due_at AND status <> 'tra_lai') AS resolved_late,
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
{{ weekly_combine }};
