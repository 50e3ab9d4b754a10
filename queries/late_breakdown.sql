-- late_breakdown: late_set counted by field, handler, unit, procedure and reason (dimension, key, n), in one pass.
SELECT CASE WHEN GROUPING(field) = 0 THEN 'field' WHEN GROUPING(handler) = 0 THEN 'handler'
            WHEN GROUPING(unit_code) = 0 THEN 'unit' WHEN GROUPING(procedure) = 0 THEN 'procedure'
            ELSE 'reason' END AS dimension,
       CASE WHEN GROUPING(field) = 0 THEN coalesce(field, '(không rõ)')
            WHEN GROUPING(handler) = 0 THEN coalesce(handler, '(chưa ghi)')
            WHEN GROUPING(unit_code) = 0 THEN unit_code
            WHEN GROUPING(procedure) = 0 THEN procedure
            ELSE coalesce(late_reason, '(chưa ghi lý do)') END AS key,
       count(*) AS n
FROM (SELECT field, handler, unit_code, coalesce(procedure_name, procedure_code) AS procedure, late_reason
      FROM ({{ late_set }}) s0) s
GROUP BY GROUPING SETS ((field), (handler), (unit_code), (procedure), (late_reason))
ORDER BY dimension, n DESC, key;
