-- index766_counts: per unit, the numerators and denominators of the national service index's sub-indicators
-- that one-stop data supports (Decision 766; shared/index-766.md), for [$start, $end) (midnight bounds), read
-- from the index766_daily aggregate built at publication (queries/build_daily.sql), so a page reads ≤ units ×
-- days rows whatever the number of dossiers. The definitions, and the reference this equals exactly (held by
-- tests/test_index766_daily.py): queries/index766_counts_scan.sql, which counts the dossiers themselves.
-- $paper_default: what a dossier without paper_result_required counts as (config.INDEX766_ASSUME_PAPER_RESULT).
-- With [S, E): received_new = Σrec[S≤d<E]; the period's dossiers (den) = Σrec[d<E] − Σcomp[d<S];
-- resolved = Σcomp[S≤d<E]; an interval count (open in time, waiting in time, open past due) = Σstart[d<E] − Σend[d<E].
WITH s AS (
    SELECT unit_code,
        sum(rec) - coalesce(sum(comp) FILTER (WHERE day < CAST($start AS DATE)), 0) AS p21_den,
        coalesce(sum(comp_on_time) FILTER (WHERE day >= CAST($start AS DATE)), 0)
            + sum(open_in_time_start) - sum(open_in_time_end)
            + sum(wait_in_time_start) - sum(wait_in_time_end) AS p21_num,
        sum(rec) FILTER (WHERE day >= CAST($start AS DATE)) AS received_new,
        sum(CASE WHEN $paper_default THEN r33_t ELSE r33_f END) FILTER (WHERE day >= CAST($start AS DATE)) AS p33_num,
        sum(r36_den) FILTER (WHERE day >= CAST($start AS DATE)) AS p36_den,
        sum(r36_num) FILTER (WHERE day >= CAST($start AS DATE)) AS p36_num,
        sum(CASE WHEN $paper_default THEN comp_paper_t ELSE comp_paper_f END)
            FILTER (WHERE day >= CAST($start AS DATE)) AS p41_den,
        sum(CASE WHEN $paper_default THEN comp_e_t ELSE comp_e_f END) FILTER (WHERE day >= CAST($start AS DATE)) AS p41_num,
        sum(CASE WHEN $paper_default THEN r42_t ELSE r42_f END) FILTER (WHERE day >= CAST($start AS DATE)) AS p42_num,
        sum(r43_num) FILTER (WHERE day >= CAST($start AS DATE)) AS p43_num,
        sum(r43_known) FILTER (WHERE day >= CAST($start AS DATE)) AS p43_known,
        sum(r14_num) FILTER (WHERE day >= CAST($start AS DATE)) AS p14_num,
        sum(r14_known) FILTER (WHERE day >= CAST($start AS DATE)) AS p14_known,
        sum(comp) FILTER (WHERE day >= CAST($start AS DATE)) AS resolved,
        sum(comp_late) FILTER (WHERE day >= CAST($start AS DATE)) AS resolved_late_766,
        sum(past_due_start) - sum(past_due_end) AS open_past_due,
        sum(rec_multi) - coalesce(sum(comp_multi) FILTER (WHERE day < CAST($start AS DATE)), 0) AS multi_supplement
    FROM index766_daily
    WHERE day < CAST($end AS DATE)
    GROUP BY unit_code
)
SELECT unit_code, p21_den::BIGINT AS p21_den, p21_num::BIGINT AS p21_num,
       coalesce(received_new, 0)::BIGINT AS received_new, coalesce(p33_num, 0)::BIGINT AS p33_num,
       coalesce(p36_den, 0)::BIGINT AS p36_den, coalesce(p36_num, 0)::BIGINT AS p36_num,
       coalesce(p41_den, 0)::BIGINT AS p41_den, coalesce(p41_num, 0)::BIGINT AS p41_num,
       coalesce(p42_num, 0)::BIGINT AS p42_num, coalesce(p43_num, 0)::BIGINT AS p43_num,
       coalesce(p43_known, 0)::BIGINT AS p43_known, coalesce(p14_num, 0)::BIGINT AS p14_num,
       coalesce(p14_known, 0)::BIGINT AS p14_known, coalesce(resolved, 0)::BIGINT AS resolved,
       coalesce(resolved_late_766, 0)::BIGINT AS resolved_late_766,
       (p21_den - coalesce(resolved, 0))::BIGINT AS open_at_end, open_past_due::BIGINT AS open_past_due,
       multi_supplement::BIGINT AS multi_supplement
FROM s
WHERE p21_den > 0
ORDER BY unit_code;
