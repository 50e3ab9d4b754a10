-- weekly_counts: per ISO week (Monday) in [$start, $end): the numerators/denominators of the dossier KPIs.
-- Resolved figures by the week of completion, received figures by the week of receipt. $unit NULL = all.
-- From the `daily` and `survey_daily` aggregates (weekly_counts_scan: the same from the dossiers, held equal by a test).
WITH resolved AS (
    SELECT date_trunc('week', day) AS week, sum(comp) AS resolved_total,
           sum(comp_early + comp_on_time) AS resolved_in_time, sum(comp_late) AS resolved_late,
           sum(comp_e_result) AS e_result
    FROM daily
    WHERE comp > 0 AND day >= CAST($start AS DATE) AND day < CAST($end AS DATE) AND ($unit IS NULL OR unit_code = $unit)
    GROUP BY 1
), received AS (
    SELECT date_trunc('week', day) AS week, sum(rec) AS received_new, sum(rec_online) AS received_online,
           sum(rec_fee) AS fee_dossiers, sum(rec_paid_online) AS paid_online, sum(rec_digitized) AS digitized
    FROM daily
    WHERE rec > 0 AND day >= CAST($start AS DATE) AND day < CAST($end AS DATE) AND ($unit IS NULL OR unit_code = $unit)
    GROUP BY 1
), survey AS (
    SELECT date_trunc('week', day) AS week, sum(responses) AS responses, sum(satisfied) AS satisfied
    FROM survey_daily
    WHERE day >= CAST($start AS DATE) AND day < CAST($end AS DATE) AND ($unit IS NULL OR unit_code = $unit)
    GROUP BY 1
)
{{ weekly_combine }};
