-- lateness_summary_scan: the reference for lateness_summary (which reads the lateness_daily aggregate and is
-- held equal to this scan by tests/test_index766_daily.py): raw-clock vs adjusted lateness in one pass over raw_clock_set, two groupings:
--   grp 'unit'   per unit, and what explains the difference:
--     raw_only: late by the raw clock, on time against the due date in force (the deadline was moved by a lawful
--               pause: paused = currently `tam_dung` or due_at later than the raw clock; raw_only_returned:
--               returned dossiers, tra_lai, which the form counts in time);
--     adjusted_only: late against due_at but not by the raw clock (due_at earlier than the statutory deadline);
--     no_statute: procedures missing from the catalogue (no raw clock).
--   grp 'reason' late dossiers (against the due date in force) by recorded reason, with how many were also
--                late by the raw clock (late_raw_too).
SELECT CASE WHEN grouping(unit_code) = 0 THEN 'unit' ELSE 'reason' END AS grp, unit_code, reason,
       count(*) AS dossiers,
       count(*) FILTER (WHERE late_adjusted) AS late_adjusted,
       count(*) FILTER (WHERE late_raw) AS late_raw,
       count(*) FILTER (WHERE late_raw AND late_adjusted) AS late_both,
       count(*) FILTER (WHERE late_raw AND NOT late_adjusted) AS raw_only,
       count(*) FILTER (WHERE late_raw AND NOT late_adjusted AND NOT returned
                        AND (status = 'tam_dung' OR due_at > raw_due_at)) AS raw_only_paused,
       count(*) FILTER (WHERE late_raw AND NOT late_adjusted AND returned) AS raw_only_returned,
       count(*) FILTER (WHERE late_adjusted AND NOT late_raw) AS adjusted_only,
       count(*) FILTER (WHERE late_raw IS NULL) AS no_statute,
       count(*) FILTER (WHERE late_adjusted AND lower(coalesce(late_reason, '')) LIKE '%phần mềm%') AS late_software,
       count(*) FILTER (WHERE late_adjusted AND late_raw) AS late_raw_too
FROM (SELECT *, coalesce(late_reason, '(chưa ghi lý do)') AS reason,
             status = 'tra_lai' AND completed_at IS NOT NULL AND judged_at = completed_at AS returned
      FROM ({{ raw_clock_set }}) r) s
GROUP BY GROUPING SETS ((unit_code), (reason));
