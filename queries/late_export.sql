-- late_export: all of late_set (for the Excel download), most late first.
SELECT * FROM ({{ late_set }}) s ORDER BY working_days_late DESC NULLS LAST, due_at, dossier_id LIMIT $limit;
