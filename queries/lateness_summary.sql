-- lateness_summary: raw-clock vs adjusted lateness for [$start, $end) (midnight bounds), per unit and per recorded
-- reason, read from the lateness_daily aggregate built at publication (queries/build_daily.sql): the dossiers
-- resolved in the period (kind 'r', S ≤ day < E) and those still open at E in their state at E (kind 'o', day < E).
-- The definitions, and the reference this equals exactly (tests/test_index766_daily.py):
-- queries/lateness_summary_scan.sql, which judges every dossier of raw_clock_set. $unit NULL = all units.
SELECT CASE WHEN grouping(unit_code) = 0 THEN 'unit' ELSE 'reason' END AS grp, unit_code, reason,
       sum(COLUMNS(* EXCLUDE (kind, unit_code, reason, day)))::BIGINT,  -- dossiers … late_software, in the scan's order
       sum(late_both)::BIGINT AS late_raw_too
FROM lateness_daily
WHERE day < CAST($end AS DATE) AND (kind = 'o' OR day >= CAST($start AS DATE))
  AND ($unit IS NULL OR unit_code = $unit)
GROUP BY GROUPING SETS ((unit_code), (reason))
HAVING sum(dossiers) > 0;
