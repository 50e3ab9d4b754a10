-- lateness_reconcile: raw-clock vs adjusted lateness per unit, and what explains the difference.
--   raw_only: late by the raw clock, on time against the due date in force (the deadline was moved by a lawful
--             pause: paused = currently `tam_dung` or due_at later than the raw clock);
--   adjusted_only: late against due_at but not by the raw clock (due_at earlier than the statutory deadline);
--   no_statute: procedures missing from the catalogue (no raw clock).
SELECT unit_code,
       count(*) AS dossiers,
       count(*) FILTER (WHERE late_adjusted) AS late_adjusted,
       count(*) FILTER (WHERE late_raw) AS late_raw,
       count(*) FILTER (WHERE late_raw AND late_adjusted) AS late_both,
       count(*) FILTER (WHERE late_raw AND NOT late_adjusted) AS raw_only,
       count(*) FILTER (WHERE late_raw AND NOT late_adjusted AND (status = 'tam_dung' OR due_at > raw_due_at)) AS raw_only_paused,
       count(*) FILTER (WHERE late_adjusted AND NOT late_raw) AS adjusted_only,
       count(*) FILTER (WHERE late_raw IS NULL) AS no_statute,
       count(*) FILTER (WHERE late_adjusted AND lower(coalesce(late_reason, '')) LIKE '%phần mềm%') AS late_software
FROM ({{ raw_clock_set }}) s
GROUP BY unit_code ORDER BY unit_code;
