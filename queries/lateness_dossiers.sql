-- lateness_dossiers: the dossiers where the two clocks disagree or either says late, one row each (the
-- reconciliation to the dossier).
SELECT dossier_id, unit_code, procedure_code, statutory_days, status, late_reason, received_at, raw_due_at, due_at,
       completed_at, late_raw, late_adjusted,
       CASE WHEN late_raw AND late_adjusted THEN 'both'
            WHEN late_raw THEN 'raw_only' WHEN late_adjusted THEN 'adjusted_only' END AS category
FROM ({{ raw_clock_set }}) s
WHERE late_raw OR late_adjusted
ORDER BY unit_code, received_at, dossier_id;
