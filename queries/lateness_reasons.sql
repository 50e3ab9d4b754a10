-- lateness_reasons: late dossiers (against the due date in force) by recorded reason, with how many were also
-- late by the raw clock.
SELECT coalesce(late_reason, '(chưa ghi lý do)') AS reason, count(*) AS late_adjusted,
       count(*) FILTER (WHERE late_raw) AS late_raw_too
FROM ({{ raw_clock_set }}) s
WHERE late_adjusted
GROUP BY 1 ORDER BY 2 DESC, 1;
