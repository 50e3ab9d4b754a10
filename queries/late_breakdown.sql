-- late_breakdown: late_set counted by field, handler, unit, procedure and reason (dimension, key, n).
SELECT 'field' AS dimension, coalesce(field, '(không rõ)') AS key, count(*) AS n FROM ({{ late_set }}) s GROUP BY ALL
UNION ALL
SELECT 'handler', coalesce(handler, '(chưa ghi)'), count(*) FROM ({{ late_set }}) s GROUP BY ALL
UNION ALL
SELECT 'unit', unit_code, count(*) FROM ({{ late_set }}) s GROUP BY ALL
UNION ALL
SELECT 'procedure', coalesce(procedure_name, procedure_code), count(*) FROM ({{ late_set }}) s GROUP BY ALL
UNION ALL
SELECT 'reason', coalesce(late_reason, '(chưa ghi lý do)'), count(*) FROM ({{ late_set }}) s GROUP BY ALL
ORDER BY dimension, n DESC, key;
