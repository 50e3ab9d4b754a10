-- closure_insert: record a closing and freeze the form's unit × field counts (the frame `_closing`, registered
-- by the batch from metrics.form.counts of the published data).
INSERT INTO closures (closure_seq, period, period_label, date_from, date_to, closed_at, closed_by, data_version)
VALUES ($seq, $period, $period_label, CAST($date_from AS DATE), CAST($date_to AS DATE), CAST($closed_at AS TIMESTAMP),
        $closed_by, $data_version);
INSERT INTO closed_counts BY NAME SELECT CAST($seq AS INTEGER) AS closure_seq, * FROM _closing;
