-- quarter_progress_scan: quarter_progress straight from the dossiers (reference; held equal by a test). Per unit, what a quarter-end projection needs:
--   so far this quarter [$start, $cut): resolved, resolved in time (early + on time);
--   the same quarter last year: resolved up to the same day [$ly_start, $ly_cut) and in the whole quarter
--   [$ly_start, $ly_end); the last 8 weeks [$recent_start, $cut): resolved and late (the recent late rate).
SELECT unit_code,
    count(*) FILTER (WHERE completed_at >= $start AND completed_at < $cut) AS resolved_so_far,
    count(*) FILTER (WHERE completed_at >= $start AND completed_at < $cut AND (completed_at <= due_at OR status = 'tra_lai')) AS in_time_so_far,
    count(*) FILTER (WHERE completed_at >= $ly_start AND completed_at < $ly_cut) AS ly_resolved_to_date,
    count(*) FILTER (WHERE completed_at >= $ly_start AND completed_at < $ly_end) AS ly_resolved_quarter,
    count(*) FILTER (WHERE completed_at >= $recent_start AND completed_at < $cut) AS recent_resolved,
    count(*) FILTER (WHERE completed_at >= $recent_start AND completed_at < $cut AND completed_at > due_at AND status <> 'tra_lai') AS recent_late
FROM dossiers
WHERE status <> 'rut' AND completed_at IS NOT NULL AND received_at < $cut
  AND ((completed_at >= least($ly_start, $recent_start) AND completed_at < $ly_end)
       OR (completed_at >= least($start, $recent_start) AND completed_at < $cut))
GROUP BY unit_code ORDER BY unit_code;
