-- closure_active: the closure in force for a period (its latest closing not reopened), if any.
SELECT closure_seq, period, period_label, date_from, date_to, closed_at, closed_by, data_version
FROM closures WHERE period = $period AND reopened_at IS NULL
ORDER BY closure_seq DESC LIMIT 1;
