-- closures_list: every closing, reopened ones included, newest first.
SELECT closure_seq, period, period_label, date_from, date_to, closed_at, closed_by, data_version,
       reopened_at, reopened_by, reopen_reason
FROM closures ORDER BY closure_seq DESC;
