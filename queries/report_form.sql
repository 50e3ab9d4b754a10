-- report_form: the official form's counts (Biểu kết quả giải quyết TTHC) per unit and field,
-- plus the numerators of the dossier KPIs, for the period [$start, $end). $unit may be NULL (all).
-- Definitions (shared/data-contract.md §2):
--   carried_over  received before the period, not completed before it starts
--   received_new  received within the period (by channel: online / in person / postal)
--   resolved_*    completed within the period: early = completed on a calendar day before the due day;
--                 on time = on the due day, not after due_at; late = after due_at
--   pending_*     not completed by the period's end; overdue = due_at before the period's end
-- Withdrawn dossiers (status 'rut') leave the totals and are counted apart (received in the period).
-- Read from the `daily` aggregate (see build_daily for the identities); report_form_scan computes the same
-- from the dossiers and the tests hold the two equal over many periods and units.
WITH s AS (
    SELECT unit_code, field,
        coalesce(sum(rec) FILTER (WHERE day < CAST($start AS DATE)), 0)
          - coalesce(sum(comp) FILTER (WHERE day < CAST($start AS DATE)), 0) AS carried_over,
        coalesce(sum(rec) FILTER (WHERE day >= CAST($start AS DATE)), 0) AS received_new,
        coalesce(sum(rec_online) FILTER (WHERE day >= CAST($start AS DATE)), 0) AS received_online,
        coalesce(sum(rec_in_person) FILTER (WHERE day >= CAST($start AS DATE)), 0) AS received_in_person,
        coalesce(sum(rec_postal) FILTER (WHERE day >= CAST($start AS DATE)), 0) AS received_postal,
        coalesce(sum(comp) FILTER (WHERE day >= CAST($start AS DATE)), 0) AS resolved_total,
        coalesce(sum(comp_early) FILTER (WHERE day >= CAST($start AS DATE)), 0) AS resolved_early,
        coalesce(sum(comp_on_time) FILTER (WHERE day >= CAST($start AS DATE)), 0) AS resolved_on_time,
        coalesce(sum(comp_late) FILTER (WHERE day >= CAST($start AS DATE)), 0) AS resolved_late,
        coalesce(sum(rec), 0) - coalesce(sum(comp), 0) AS pending_total,
        coalesce(sum(due), 0) - coalesce(sum(settled), 0) AS pending_overdue,
        coalesce(sum(rec_withdrawn) FILTER (WHERE day >= CAST($start AS DATE)), 0) AS withdrawn,
        coalesce(sum(rec_fee) FILTER (WHERE day >= CAST($start AS DATE)), 0) AS fee_dossiers,
        coalesce(sum(rec_paid_online) FILTER (WHERE day >= CAST($start AS DATE)), 0) AS paid_online,
        coalesce(sum(rec_digitized) FILTER (WHERE day >= CAST($start AS DATE)), 0) AS digitized,
        coalesce(sum(comp_e_result) FILTER (WHERE day >= CAST($start AS DATE)), 0) AS e_result,
        coalesce(sum(comp_postal_return) FILTER (WHERE day >= CAST($start AS DATE)), 0) AS postal_return
    FROM daily
    WHERE day < CAST($end AS DATE) AND ($unit IS NULL OR unit_code = $unit)
    GROUP BY unit_code, field
)
SELECT unit_code, field,
    CAST(carried_over + received_new AS BIGINT) AS received_total, CAST(carried_over AS BIGINT) AS carried_over,
    CAST(received_new AS BIGINT) AS received_new, CAST(received_online AS BIGINT) AS received_online,
    CAST(received_in_person AS BIGINT) AS received_in_person, CAST(received_postal AS BIGINT) AS received_postal,
    CAST(resolved_total AS BIGINT) AS resolved_total, CAST(resolved_early AS BIGINT) AS resolved_early,
    CAST(resolved_on_time AS BIGINT) AS resolved_on_time, CAST(resolved_late AS BIGINT) AS resolved_late,
    CAST(pending_total AS BIGINT) AS pending_total, CAST(pending_total - pending_overdue AS BIGINT) AS pending_in_time,
    CAST(pending_overdue AS BIGINT) AS pending_overdue, CAST(withdrawn AS BIGINT) AS withdrawn,
    CAST(fee_dossiers AS BIGINT) AS fee_dossiers, CAST(paid_online AS BIGINT) AS paid_online,
    CAST(digitized AS BIGINT) AS digitized, CAST(e_result AS BIGINT) AS e_result,
    CAST(postal_return AS BIGINT) AS postal_return
FROM s
WHERE carried_over + received_new > 0 OR withdrawn > 0
ORDER BY unit_code, field;
