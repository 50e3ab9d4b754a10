-- weekly_combine: the final SELECT of weekly_counts and weekly_counts_scan (included by both): joins their
-- `resolved`, `received` and `survey` week CTEs into one row per week, zeros where a week has none.
SELECT CAST(week AS DATE) AS week, coalesce(resolved_total, 0) AS resolved_total,
       coalesce(resolved_in_time, 0) AS resolved_in_time, coalesce(resolved_late, 0) AS resolved_late,
       coalesce(e_result, 0) AS e_result, coalesce(received_new, 0) AS received_new,
       coalesce(received_online, 0) AS received_online, coalesce(fee_dossiers, 0) AS fee_dossiers,
       coalesce(paid_online, 0) AS paid_online, coalesce(digitized, 0) AS digitized,
       coalesce(responses, 0) AS responses, coalesce(satisfied, 0) AS satisfied
FROM resolved FULL JOIN received USING (week) FULL JOIN survey USING (week)
ORDER BY week;
