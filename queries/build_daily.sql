-- build_daily: per unit × field × day, how many dossiers had each event that day. Built at publication,
-- so the form and the weekly series read ≤ units × fields × days rows, whatever the number of dossiers.
-- rec_*: received that day (not withdrawn; rec_withdrawn: withdrawn ones); comp_*: completed that day
-- (early = on a day before the due day; on time = on the due day, not after due_at, or a returned dossier
-- (tra_lai) completed after due_at, which the official form counts as answered in time; late = after due_at,
-- not returned; comp_returned: returned ones); due: due that day; settled: completed, counted on the later of
-- its due day and its completion day. wait_*: dossiers waiting for the citizen's supplement (status tam_dung):
-- wait counted on the day the wait started (the supplement request, else receipt), wait_comp on their
-- completion day, wait_due on the later of due day and wait start, wait_settled on the latest of the three.
-- With them, for a period [S, E) (midnight bounds):
--   carried_over    = Σrec[d<S] − Σcomp[d<S]          received_new = Σrec[S≤d<E]
--   resolved_*      = Σcomp_*[S≤d<E]                   pending_total = Σrec[d<E] − Σcomp[d<E]
--   awaiting_supplement = Σwait[d<E] − Σwait_comp[d<E] (waiting at E: the clock is stopped, "trong hạn")
--   pending_overdue = (Σdue[d<E] − Σsettled[d<E]) − (Σwait_due[d<E] − Σwait_settled[d<E])
--                     (due before E, not completed before E, not waiting for a supplement at E)
-- (completion is never before receipt, due never before receipt: ingest rejects such rows).
CREATE OR REPLACE TABLE daily AS
WITH ev AS (
    SELECT unit_code, field, CAST(received_at AS DATE) AS day,
           (status <> 'rut')::INTEGER AS rec,
           (status <> 'rut' AND channel = 'truc_tuyen')::INTEGER AS rec_online,
           (status <> 'rut' AND channel = 'truc_tiep')::INTEGER AS rec_in_person,
           (status <> 'rut' AND channel = 'buu_chinh')::INTEGER AS rec_postal,
           (status <> 'rut' AND coalesce(has_fee, false))::INTEGER AS rec_fee,
           (status <> 'rut' AND coalesce(has_fee AND paid_online, false))::INTEGER AS rec_paid_online,
           (status <> 'rut' AND coalesce(digitized, false))::INTEGER AS rec_digitized,
           (status = 'rut')::INTEGER AS rec_withdrawn,
           0 AS comp, 0 AS comp_early, 0 AS comp_on_time, 0 AS comp_late, 0 AS comp_e_result,
           0 AS comp_postal_return, 0 AS due, 0 AS settled, 0 AS comp_returned,
           0 AS wait, 0 AS wait_comp, 0 AS wait_due, 0 AS wait_settled
    FROM dossiers
    UNION ALL
    SELECT unit_code, field, CAST(completed_at AS DATE), 0, 0, 0, 0, 0, 0, 0, 0,
           1,
           (CAST(completed_at AS DATE) < CAST(due_at AS DATE))::INTEGER,
           ((CAST(completed_at AS DATE) = CAST(due_at AS DATE) AND completed_at <= due_at)
            OR (status = 'tra_lai' AND completed_at > due_at))::INTEGER,
           (completed_at > due_at AND status <> 'tra_lai')::INTEGER,
           coalesce(e_result, false)::INTEGER,
           coalesce(postal_return, false)::INTEGER,
           0, 0, (status = 'tra_lai')::INTEGER, 0, 0, 0, 0
    FROM dossiers WHERE status <> 'rut' AND completed_at IS NOT NULL
    UNION ALL
    SELECT unit_code, field, CAST(due_at AS DATE), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0
    FROM dossiers WHERE status <> 'rut'
    UNION ALL
    SELECT unit_code, field, greatest(CAST(due_at AS DATE), CAST(completed_at AS DATE)),
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0
    FROM dossiers WHERE status <> 'rut' AND completed_at IS NOT NULL
    UNION ALL
    -- waiting for a supplement: the wait's start, its end (completion), and the same for the overdue part
    SELECT unit_code, field, CAST(least(coalesce(supplement_requested_at, received_at), completed_at) AS DATE),
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0
    FROM dossiers WHERE status = 'tam_dung'
    UNION ALL
    SELECT unit_code, field, CAST(completed_at AS DATE),
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0
    FROM dossiers WHERE status = 'tam_dung' AND completed_at IS NOT NULL
    UNION ALL
    SELECT unit_code, field, greatest(CAST(due_at AS DATE), CAST(least(coalesce(supplement_requested_at, received_at), completed_at) AS DATE)),
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0
    FROM dossiers WHERE status = 'tam_dung'
    UNION ALL
    SELECT unit_code, field, greatest(CAST(due_at AS DATE), CAST(least(coalesce(supplement_requested_at, received_at), completed_at) AS DATE),
                                      CAST(completed_at AS DATE)),
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
    FROM dossiers WHERE status = 'tam_dung' AND completed_at IS NOT NULL
)
SELECT unit_code, field, day,
       sum(rec)::INTEGER AS rec, sum(rec_online)::INTEGER AS rec_online, sum(rec_in_person)::INTEGER AS rec_in_person,
       sum(rec_postal)::INTEGER AS rec_postal, sum(rec_fee)::INTEGER AS rec_fee,
       sum(rec_paid_online)::INTEGER AS rec_paid_online, sum(rec_digitized)::INTEGER AS rec_digitized,
       sum(rec_withdrawn)::INTEGER AS rec_withdrawn, sum(comp)::INTEGER AS comp, sum(comp_early)::INTEGER AS comp_early,
       sum(comp_on_time)::INTEGER AS comp_on_time, sum(comp_late)::INTEGER AS comp_late,
       sum(comp_e_result)::INTEGER AS comp_e_result, sum(comp_postal_return)::INTEGER AS comp_postal_return,
       sum(due)::INTEGER AS due, sum(settled)::INTEGER AS settled, sum(comp_returned)::INTEGER AS comp_returned,
       sum(wait)::INTEGER AS wait, sum(wait_comp)::INTEGER AS wait_comp, sum(wait_due)::INTEGER AS wait_due,
       sum(wait_settled)::INTEGER AS wait_settled
FROM ev
GROUP BY unit_code, field, day
ORDER BY day, unit_code, field;
-- survey_daily: survey responses per unit × day by rating (satisfied = very satisfied + satisfied).
CREATE OR REPLACE TABLE survey_daily AS
SELECT unit_code, CAST(answered_at AS DATE) AS day, count(*)::INTEGER AS responses,
       (count(*) FILTER (WHERE rating IN ('rat_hai_long', 'hai_long')))::INTEGER AS satisfied,
       (count(*) FILTER (WHERE rating = 'rat_hai_long'))::INTEGER AS very_satisfied,
       (count(*) FILTER (WHERE rating = 'hai_long'))::INTEGER AS satisfied_only,
       (count(*) FILTER (WHERE rating = 'binh_thuong'))::INTEGER AS neutral,
       (count(*) FILTER (WHERE rating = 'khong_hai_long'))::INTEGER AS dissatisfied
FROM surveys
GROUP BY unit_code, CAST(answered_at AS DATE)
ORDER BY day, unit_code;
-- index766_daily: per unit × day, the events from which queries/index766_counts.sql rebuilds, for any period
-- [S, E) of midnight bounds, every count of the scan queries/index766_counts_scan.sql (its reference, held equal
-- by tests). Day buckets, not a row per period: a period can be any date range (`2024-01-01..2024-03-31`), cut at
-- the as-of date, and each count is either an event of one day (received, completed) or "an interval [start,
-- end) of days contains the period's last day", counted as Σstart[d<E] − Σend[d<E]. Withdrawn dossiers (rut) are
-- left out. Columns with _t / _f: the value when a dossier without paper_result_required counts as issuing a
-- paper result ($paper_default true) or not. Dates: received ≤ completed and received ≤ due (ingest rejects others).
--   rec*, r*: received that day (rec_multi: more than one supplement request);
--   comp*: completed that day (comp_on_time: by due_at with ≤ 1 request; comp_late: after due_at or > 1 request);
--   open_in_time_start/_end: not late while open (≤ 1 request; not past due_at and, when waiting for a supplement,
--     the request not yet made): from receipt to the earliest of due day, completion, request day;
--   wait_in_time_start/_end: waiting for the citizen's supplement requested by due_at (≤ 1 request): from the later
--     of receipt and request to completion;
--   past_due_start/_end: open past due_at: from the later of receipt and due day to completion.
CREATE OR REPLACE TABLE index766_daily AS
WITH d AS NOT MATERIALIZED (  -- each branch reads the dossiers again: cheaper than keeping d
    SELECT unit_code, received_at, due_at, completed_at, status, supplement_requested_at,
           coalesce(supplement_count, 0) AS supplement_count, CAST(received_at AS DATE) AS rec_day,
           CAST(completed_at AS DATE) AS comp_day,
           coalesce(channel = 'truc_tuyen', false) AS online, coalesce(e_result, false) AS e_res,
           coalesce(NOT paper_result_required, false) AS no_paper_known,
           coalesce(paper_result_required, true) AS paper_t, coalesce(paper_result_required, false) AS paper_f,
           status = 'tam_dung' AND supplement_requested_at IS NOT NULL AS waits,
           has_fee, paid_online, digitized, reused_data, synced_national
    FROM dossiers WHERE status <> 'rut'
), ev AS (
    SELECT unit_code, rec_day AS day, 1 AS rec, (supplement_count > 1)::INTEGER AS rec_multi,
           (online AND (no_paper_known OR e_res))::INTEGER AS r33_t,
           (online AND (NOT paper_f OR e_res))::INTEGER AS r33_f,
           coalesce(has_fee, false)::INTEGER AS r36_den, coalesce(has_fee AND paid_online, false)::INTEGER AS r36_num,
           (coalesce(digitized, false) AND (no_paper_known OR e_res))::INTEGER AS r42_t,
           (coalesce(digitized, false) AND (NOT paper_f OR e_res))::INTEGER AS r42_f,
           coalesce(reused_data, false)::INTEGER AS r43_num, (reused_data IS NOT NULL)::INTEGER AS r43_known,
           coalesce(synced_national, false)::INTEGER AS r14_num, (synced_national IS NOT NULL)::INTEGER AS r14_known,
           0 AS comp, 0 AS comp_multi, 0 AS comp_on_time, 0 AS comp_late, 0 AS comp_paper_t, 0 AS comp_paper_f,
           0 AS comp_e_t, 0 AS comp_e_f, (supplement_count <= 1)::INTEGER AS open_in_time_start,
           0 AS open_in_time_end, 0 AS wait_in_time_start, 0 AS wait_in_time_end, 0 AS past_due_start,
           0 AS past_due_end
    FROM d
    UNION ALL
    SELECT unit_code, comp_day, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
           1, (supplement_count > 1)::INTEGER, (completed_at <= due_at AND supplement_count <= 1)::INTEGER,
           (completed_at > due_at OR supplement_count > 1)::INTEGER, paper_t::INTEGER, paper_f::INTEGER,
           (paper_t AND e_res)::INTEGER, (paper_f AND e_res)::INTEGER, 0, 0, 0, 0, 0, 0
    FROM d WHERE completed_at IS NOT NULL
    UNION ALL
    SELECT unit_code,
           greatest(rec_day, least(CAST(due_at AS DATE), comp_day,
                                   CASE WHEN waits THEN CAST(supplement_requested_at AS DATE) END)),
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0
    FROM d WHERE supplement_count <= 1
    UNION ALL
    SELECT unit_code, greatest(rec_day, CAST(supplement_requested_at AS DATE)),
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0
    FROM d WHERE waits AND supplement_requested_at <= due_at AND supplement_count <= 1
    UNION ALL
    SELECT unit_code, greatest(rec_day, CAST(supplement_requested_at AS DATE), comp_day),
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0
    FROM d WHERE waits AND supplement_requested_at <= due_at AND supplement_count <= 1 AND completed_at IS NOT NULL
    UNION ALL
    SELECT unit_code, greatest(rec_day, CAST(due_at AS DATE)),
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0
    FROM d
    UNION ALL
    SELECT unit_code, greatest(rec_day, CAST(due_at AS DATE), comp_day),
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
    FROM d WHERE completed_at IS NOT NULL
)
SELECT unit_code, day,
       sum(rec)::INTEGER AS rec, sum(rec_multi)::INTEGER AS rec_multi, sum(r33_t)::INTEGER AS r33_t,
       sum(r33_f)::INTEGER AS r33_f, sum(r36_den)::INTEGER AS r36_den, sum(r36_num)::INTEGER AS r36_num,
       sum(r42_t)::INTEGER AS r42_t, sum(r42_f)::INTEGER AS r42_f, sum(r43_num)::INTEGER AS r43_num,
       sum(r43_known)::INTEGER AS r43_known, sum(r14_num)::INTEGER AS r14_num, sum(r14_known)::INTEGER AS r14_known,
       sum(comp)::INTEGER AS comp, sum(comp_multi)::INTEGER AS comp_multi, sum(comp_on_time)::INTEGER AS comp_on_time,
       sum(comp_late)::INTEGER AS comp_late, sum(comp_paper_t)::INTEGER AS comp_paper_t,
       sum(comp_paper_f)::INTEGER AS comp_paper_f, sum(comp_e_t)::INTEGER AS comp_e_t, sum(comp_e_f)::INTEGER AS comp_e_f,
       sum(open_in_time_start)::INTEGER AS open_in_time_start, sum(open_in_time_end)::INTEGER AS open_in_time_end,
       sum(wait_in_time_start)::INTEGER AS wait_in_time_start, sum(wait_in_time_end)::INTEGER AS wait_in_time_end,
       sum(past_due_start)::INTEGER AS past_due_start, sum(past_due_end)::INTEGER AS past_due_end
FROM ev
GROUP BY unit_code, day
ORDER BY day, unit_code;
-- lateness_daily: per unit × recorded reason × kind × day, what queries/lateness_summary.sql sums to give, for any
-- period [S, E) of midnight bounds, the counts of the scan queries/lateness_summary_scan.sql over raw_clock_set
-- (its reference, held equal by tests). Withdrawn dossiers are left out; like raw_clock_set, a dossier whose
-- receipt day is outside the calendar is too. kind 'r': a dossier resolved that day, judged at its completion
-- (summed over S ≤ day < E). kind 'o': a dossier still open at E (receipt day < E ≤ completion day), judged at E:
-- its state changes only when E passes its receipt day, due day, raw-clock day, the start of its wait for a
-- supplement (tam_dung) or its completion day, and, for a returned dossier completed at midnight E exactly (judged
-- at E = its completion: raw_clock_set counts it as returned), at E = that day. At each such cut c (c1…c6 below,
-- each distinct day once: a cut equal to an earlier one is left out) the dossier counts +1 in its state at E = c
-- and −1 in its state at E = c − 1 (when open then), both at day c − 1; so Σ over day < E gives the dossiers open
-- at E in their state at E. The states are counted first (few distinct ones per unit × reason × day), the columns
-- summed from those counts (a NULL state, no raw clock, counts in no FILTER, as in the scan); late_software is
-- late_adjusted for a reason naming the software.
-- (Was: each stretch between two cuts as a +1 row and a −1 row, from a sorted list of cuts per dossier: the same
-- table, at 3.5-4× the CPU; bench/publish_aggregates.py compares the two.)
CREATE OR REPLACE TABLE lateness_daily AS
WITH wd_date AS (SELECT wd_index, min(date) AS date FROM calendar WHERE is_working GROUP BY wd_index),
d AS NOT MATERIALIZED (  -- read twice (resolved, candidates): cheaper than keeping d
    SELECT d.unit_code, coalesce(d.late_reason, '(chưa ghi lý do)') AS reason, d.status, d.due_at, d.completed_at,
           CAST(d.received_at AS DATE) AS rec_day, CAST(d.due_at AS DATE) AS due_day,
           CAST(d.completed_at AS DATE) AS comp_day, w.date AS raw_day,
           CAST(w.date AS TIMESTAMP) + (d.due_at - date_trunc('day', d.due_at)) AS raw_due_at,
           CASE WHEN d.status = 'tam_dung' THEN CAST(coalesce(d.supplement_requested_at, d.received_at) AS DATE) END
               AS wait_day
    FROM dossiers d
    JOIN calendar cr ON cr.date = CAST(d.received_at AS DATE)
    LEFT JOIN procedures p ON p.procedure_code = d.procedure_code
    LEFT JOIN wd_date w ON w.wd_index = cr.wd_index + p.statutory_days
        + CASE WHEN p.statutory_days = 0 AND hour(d.received_at) >= 15 THEN 1 ELSE 0 END
    WHERE d.status <> 'rut'
), resolved AS (  -- judged at completion
    SELECT 'r' AS kind, unit_code, reason, comp_day AS day, 1 AS sign, status = 'tra_lai' AS returned,
           completed_at > due_at AND status <> 'tra_lai' AS late_adj,
           completed_at > raw_due_at AS late_raw, raw_due_at IS NULL AS no_statute,
           status = 'tam_dung' OR due_at > raw_due_at AS paused
    FROM d WHERE completed_at IS NOT NULL
), candidates AS (  -- open at some midnight: not completed on its receipt day
    SELECT unit_code, reason, rec_day, comp_day, due_day, raw_day, wait_day,
           raw_due_at IS NULL AS no_statute, status = 'tam_dung' OR due_at > raw_due_at AS paused,
           status = 'tra_lai' AND completed_at = CAST(comp_day AS TIMESTAMP) AS ret_midnight,
           rec_day + 1 AS c1, due_day + 1 AS c2, raw_day + 1 AS c3, wait_day + 1 AS c4, comp_day + 1 AS c5,
           CASE WHEN status = 'tra_lai' AND completed_at = CAST(comp_day AS TIMESTAMP) THEN comp_day END AS c6
    FROM d WHERE comp_day IS NULL OR comp_day > rec_day
), cuts AS (  -- the cuts inside (receipt day, completion day + 1], each day once
    SELECT * EXCLUDE (c1, c2, c3, c4, c5, c6), unnest([
        c1,
        CASE WHEN c2 > rec_day AND (c2 <= c5 OR c5 IS NULL) AND c2 <> c1 THEN c2 END,
        CASE WHEN c3 > rec_day AND (c3 <= c5 OR c5 IS NULL) AND c3 <> c1 AND c3 IS DISTINCT FROM c2 THEN c3 END,
        CASE WHEN c4 > rec_day AND (c4 <= c5 OR c5 IS NULL) AND c4 <> c1 AND c4 IS DISTINCT FROM c2
                  AND c4 IS DISTINCT FROM c3 THEN c4 END,
        CASE WHEN c5 <> c1 AND c5 IS DISTINCT FROM c2 AND c5 IS DISTINCT FROM c3 AND c5 IS DISTINCT FROM c4
             THEN c5 END,
        CASE WHEN c6 > rec_day AND c6 <> c1 AND c6 IS DISTINCT FROM c2 AND c6 IS DISTINCT FROM c3
                  AND c6 IS DISTINCT FROM c4 THEN c6 END]) AS cut
    FROM candidates
), judged AS (  -- each cut c: +1 judged at E = c, −1 judged at E = c − 1
    SELECT * EXCLUDE (cut), cut - 1 AS day, unnest([1, -1]) AS sign, unnest([cut, cut - 1]) AS e
    FROM cuts WHERE cut IS NOT NULL
), states AS (
    SELECT * FROM resolved
    UNION ALL
    SELECT 'o', unit_code, reason, day, sign, coalesce(ret_midnight AND e = comp_day, false),
           due_day < e AND NOT coalesce(wait_day < e, false), raw_day < e, no_statute, paused
    FROM judged WHERE e > rec_day AND (comp_day IS NULL OR e <= comp_day)
), counted AS (
    SELECT kind, unit_code, reason, day, returned, late_adj, late_raw, no_statute, paused, sum(sign) AS n
    FROM states GROUP BY ALL
)
SELECT kind, unit_code, reason, day,
       sum(n)::INTEGER AS dossiers,
       coalesce(sum(n) FILTER (WHERE late_adj), 0)::INTEGER AS late_adjusted,
       coalesce(sum(n) FILTER (WHERE late_raw), 0)::INTEGER AS late_raw,
       coalesce(sum(n) FILTER (WHERE late_raw AND late_adj), 0)::INTEGER AS late_both,
       coalesce(sum(n) FILTER (WHERE late_raw AND NOT late_adj), 0)::INTEGER AS raw_only,
       coalesce(sum(n) FILTER (WHERE late_raw AND NOT late_adj AND NOT returned AND paused), 0)::INTEGER
           AS raw_only_paused,
       coalesce(sum(n) FILTER (WHERE late_raw AND NOT late_adj AND returned), 0)::INTEGER AS raw_only_returned,
       coalesce(sum(n) FILTER (WHERE late_adj AND NOT late_raw), 0)::INTEGER AS adjusted_only,
       coalesce(sum(n) FILTER (WHERE no_statute), 0)::INTEGER AS no_statute,
       (CASE WHEN lower(reason) LIKE '%phần mềm%' THEN coalesce(sum(n) FILTER (WHERE late_adj), 0) ELSE 0 END)
           ::INTEGER AS late_software
FROM counted
GROUP BY kind, unit_code, reason, day
ORDER BY day, kind, unit_code, reason;
