-- quarter_progress: per unit, what a quarter-end projection needs (from the `daily` aggregate; every bound is
-- a midnight, and quarter_progress_scan computes the same from the dossiers):
--   so far this quarter [$start, $cut): resolved, resolved in time (early + on time);
--   the same quarter last year: resolved up to the same day [$ly_start, $ly_cut) and in the whole quarter
--   [$ly_start, $ly_end); the last 8 weeks [$recent_start, $cut): resolved and late (the recent late rate).
WITH w AS (
    SELECT unit_code, day, comp, comp_early + comp_on_time AS in_time, comp_late
    FROM daily
    WHERE comp > 0
      AND ((day >= CAST(least($ly_start, $recent_start) AS DATE) AND day < CAST($ly_end AS DATE))
           OR (day >= CAST(least($start, $recent_start) AS DATE) AND day < CAST($cut AS DATE)))
)
SELECT unit_code,
    CAST(coalesce(sum(comp) FILTER (WHERE day >= CAST($start AS DATE) AND day < CAST($cut AS DATE)), 0) AS BIGINT) AS resolved_so_far,
    CAST(coalesce(sum(in_time) FILTER (WHERE day >= CAST($start AS DATE) AND day < CAST($cut AS DATE)), 0) AS BIGINT) AS in_time_so_far,
    CAST(coalesce(sum(comp) FILTER (WHERE day >= CAST($ly_start AS DATE) AND day < CAST($ly_cut AS DATE)), 0) AS BIGINT) AS ly_resolved_to_date,
    CAST(coalesce(sum(comp) FILTER (WHERE day >= CAST($ly_start AS DATE) AND day < CAST($ly_end AS DATE)), 0) AS BIGINT) AS ly_resolved_quarter,
    CAST(coalesce(sum(comp) FILTER (WHERE day >= CAST($recent_start AS DATE) AND day < CAST($cut AS DATE)), 0) AS BIGINT) AS recent_resolved,
    CAST(coalesce(sum(comp_late) FILTER (WHERE day >= CAST($recent_start AS DATE) AND day < CAST($cut AS DATE)), 0) AS BIGINT) AS recent_late
FROM w
GROUP BY unit_code ORDER BY unit_code;
