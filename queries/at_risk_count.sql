-- at_risk_count: how many open dossiers fall due after $as_of and within the early-warning horizon
-- (= late_set's 'at_risk' rows for a unit or all). A plain `completed_at IS NULL` filter lets DuckDB skip
-- every row group without open dossiers, which late_set's combined filter cannot. Open at $as_of (which may be
-- in the past): received by then, not completed by then.
SELECT count(*) AS n
FROM dossiers d
WHERE (d.completed_at IS NULL OR d.completed_at > $as_of) AND d.received_at <= $as_of
  AND d.status <> 'rut' AND d.due_at > $as_of
  AND d.due_at < (SELECT until FROM ({{ late_horizon }}) h)
  AND ($unit IS NULL OR d.unit_code = $unit)
