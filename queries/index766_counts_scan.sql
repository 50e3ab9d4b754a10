-- index766_counts_scan: the reference for index766_counts (which reads the index766_daily aggregate and is held
-- equal to this scan by tests/test_index766_daily.py): per unit, the numerators and denominators of the national service index's sub-indicators
-- that one-stop data supports (Decision 766; shared/index-766.md), for [$start, $end). Withdrawn dossiers
-- (rut) are left out (the extract carries no withdrawal date). $paper_default: what a dossier without
-- paper_result_required counts as (config.INDEX766_ASSUME_PAPER_RESULT).
--   2.1 progress: dossiers received or handled in the period (received before $end, not completed before
--       $start) = den; on time = num: completed in the period by due_at, or still open at $end and not past
--       due_at then, or waiting for the citizen's supplement with the request made by due_at; more than one
--       supplement request makes the dossier late. (The form's rate divides by resolved dossiers only.)
--   3.3 channels: received in the period online (counted online only with an electronic result where a paper
--       result is required) / received in the period.
--   3.6 paid online: received in the period with a fee and paid online / received with a fee.
--   4.1 e-results: resolved in the period with an electronic result / resolved whose procedure issues a paper result.
--   4.2 digitised: received and digitised (and e-result where a paper result is required) / received.
--   4.3 reuse, 1.4 synchronised: received with the flag / received; *_known: how many carry the column at all.
--   5.4 inputs: resolved in the period late by the portal's rule (after due_at, or > 1 supplement request).
WITH d AS (
    SELECT unit_code, channel, received_at, due_at, completed_at, status, has_fee, paid_online, e_result, digitized,
           supplement_requested_at, coalesce(supplement_count, 0) AS supplement_count, reused_data, synced_national,
           coalesce(paper_result_required, $paper_default) AS paper,
           received_at >= $start AS is_new,
           completed_at IS NOT NULL AND completed_at < $end AS is_resolved
    FROM dossiers
    WHERE status <> 'rut' AND received_at < $end AND (completed_at IS NULL OR completed_at >= $start)
)
SELECT unit_code,
    count(*) AS p21_den,
    count(*) FILTER (WHERE supplement_count <= 1 AND (
        (is_resolved AND completed_at <= due_at)
        OR (NOT is_resolved AND status = 'tam_dung' AND supplement_requested_at IS NOT NULL
            AND supplement_requested_at < $end AND supplement_requested_at <= due_at)
        OR (NOT is_resolved AND NOT (status = 'tam_dung' AND supplement_requested_at IS NOT NULL
                                     AND supplement_requested_at < $end) AND due_at >= $end))) AS p21_num,
    count(*) FILTER (WHERE is_new) AS received_new,
    count(*) FILTER (WHERE is_new AND channel = 'truc_tuyen' AND (NOT paper OR coalesce(e_result, false))) AS p33_num,
    count(*) FILTER (WHERE is_new AND has_fee) AS p36_den,
    count(*) FILTER (WHERE is_new AND has_fee AND paid_online) AS p36_num,
    count(*) FILTER (WHERE is_resolved AND paper) AS p41_den,
    count(*) FILTER (WHERE is_resolved AND paper AND e_result) AS p41_num,
    count(*) FILTER (WHERE is_new AND digitized AND (NOT paper OR coalesce(e_result, false))) AS p42_num,
    count(*) FILTER (WHERE is_new AND reused_data) AS p43_num,
    count(*) FILTER (WHERE is_new AND reused_data IS NOT NULL) AS p43_known,
    count(*) FILTER (WHERE is_new AND synced_national) AS p14_num,
    count(*) FILTER (WHERE is_new AND synced_national IS NOT NULL) AS p14_known,
    count(*) FILTER (WHERE is_resolved) AS resolved,
    count(*) FILTER (WHERE is_resolved AND (completed_at > due_at OR supplement_count > 1)) AS resolved_late_766,
    count(*) FILTER (WHERE NOT is_resolved) AS open_at_end,
    count(*) FILTER (WHERE NOT is_resolved AND due_at < $end) AS open_past_due,
    count(*) FILTER (WHERE supplement_count > 1) AS multi_supplement
FROM d
GROUP BY unit_code
ORDER BY unit_code;
