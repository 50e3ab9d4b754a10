-- report_form_scan: the form straight from the dossiers (reference for report_form, which reads `daily`).
-- plus the numerators of the dossier KPIs, for the period [$start, $end). $unit may be NULL (all).
-- Definitions (shared/data-contract.md §2):
--   carried_over  received before the period, not completed before it starts
--   received_new  received within the period (by channel: online / in person / postal)
--   resolved_*    completed within the period: early = completed on a calendar day before the due day;
--                 on time = on the due day, not after due_at; late = after due_at
--                 (a returned dossier, tra_lai, completed after due_at is on time; returned reported apart)
--   pending_*     not completed by the period's end; overdue = due_at at or before the period's end, not waiting
--                 for the citizen's supplement at the period's end (status tam_dung, the wait started before
--                 it); awaiting_supplement = those waiting, counted in time
-- Withdrawn dossiers (status 'rut') leave the totals and are counted apart (received in the period).
WITH d AS (
    SELECT unit_code, field, channel, status, received_at, due_at, completed_at,
           has_fee, paid_online, digitized, e_result, postal_return,
           (status = 'tam_dung' AND coalesce(supplement_requested_at, received_at) < $end) AS waiting
    FROM dossiers
    WHERE received_at < $end
      AND (completed_at IS NULL OR completed_at >= $start OR status = 'rut')
      AND ($unit IS NULL OR unit_code = $unit)
)
SELECT unit_code, field,
    count(*) FILTER (WHERE status <> 'rut') AS received_total,
    count(*) FILTER (WHERE status <> 'rut' AND received_at < $start) AS carried_over,
    count(*) FILTER (WHERE status <> 'rut' AND received_at >= $start) AS received_new,
    count(*) FILTER (WHERE status <> 'rut' AND received_at >= $start AND channel = 'truc_tuyen') AS received_online,
    count(*) FILTER (WHERE status <> 'rut' AND received_at >= $start AND channel = 'truc_tiep') AS received_in_person,
    count(*) FILTER (WHERE status <> 'rut' AND received_at >= $start AND channel = 'buu_chinh') AS received_postal,
    count(*) FILTER (WHERE status <> 'rut' AND completed_at < $end) AS resolved_total,
    count(*) FILTER (WHERE status <> 'rut' AND completed_at < $end
                     AND CAST(completed_at AS DATE) < CAST(due_at AS DATE)) AS resolved_early,
    count(*) FILTER (WHERE status <> 'rut' AND completed_at < $end
                     AND ((CAST(completed_at AS DATE) = CAST(due_at AS DATE) AND completed_at <= due_at)
                          OR (status = 'tra_lai' AND completed_at > due_at))) AS resolved_on_time,
    count(*) FILTER (WHERE status <> 'rut' AND completed_at < $end AND completed_at > due_at
                     AND status <> 'tra_lai') AS resolved_late,
    count(*) FILTER (WHERE status <> 'rut' AND (completed_at IS NULL OR completed_at >= $end)) AS pending_total,
    count(*) FILTER (WHERE status <> 'rut' AND (completed_at IS NULL OR completed_at >= $end)
                     AND (due_at >= $end OR waiting)) AS pending_in_time,
    count(*) FILTER (WHERE status <> 'rut' AND (completed_at IS NULL OR completed_at >= $end)
                     AND due_at < $end AND NOT waiting) AS pending_overdue,
    count(*) FILTER (WHERE (completed_at IS NULL OR completed_at >= $end) AND waiting) AS pending_awaiting_supplement,
    count(*) FILTER (WHERE status = 'tra_lai' AND completed_at < $end) AS returned,
    count(*) FILTER (WHERE status = 'rut' AND received_at >= $start) AS withdrawn,
    count(*) FILTER (WHERE status <> 'rut' AND received_at >= $start AND has_fee) AS fee_dossiers,
    count(*) FILTER (WHERE status <> 'rut' AND received_at >= $start AND has_fee AND paid_online) AS paid_online,
    count(*) FILTER (WHERE status <> 'rut' AND received_at >= $start AND digitized) AS digitized,
    count(*) FILTER (WHERE status <> 'rut' AND completed_at < $end AND e_result) AS e_result,
    count(*) FILTER (WHERE status <> 'rut' AND completed_at < $end AND postal_return) AS postal_return,
    count(*) FILTER (WHERE status <> 'rut' AND completed_at < $end
                     AND ((CAST(completed_at AS DATE) <= CAST(due_at AS DATE) AND completed_at <= due_at)
                          OR status = 'tra_lai')) AS resolved_in_time
FROM d
GROUP BY unit_code, field
ORDER BY unit_code, field;
