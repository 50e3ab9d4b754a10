-- late_dossiers: one page of late_set, sorted by a whitelisted column ($sort, $desc), with the total count.
SELECT *, count(*) OVER () AS total_rows
FROM ({{ late_set }}) s
ORDER BY
    CASE WHEN NOT $desc THEN CASE $sort WHEN 'dossier_id' THEN dossier_id WHEN 'unit_name' THEN unit_name
        WHEN 'procedure_name' THEN procedure_name WHEN 'field' THEN field WHEN 'handler' THEN handler
        WHEN 'late_reason' THEN late_reason WHEN 'status' THEN status
        WHEN 'count_reason' THEN count_reason END END ASC NULLS LAST,
    CASE WHEN $desc THEN CASE $sort WHEN 'dossier_id' THEN dossier_id WHEN 'unit_name' THEN unit_name
        WHEN 'procedure_name' THEN procedure_name WHEN 'field' THEN field WHEN 'handler' THEN handler
        WHEN 'late_reason' THEN late_reason WHEN 'status' THEN status
        WHEN 'count_reason' THEN count_reason END END DESC NULLS LAST,
    CASE WHEN NOT $desc THEN CASE $sort WHEN 'received_at' THEN received_at WHEN 'due_at' THEN due_at
        WHEN 'completed_at' THEN completed_at END END ASC NULLS LAST,
    CASE WHEN $desc THEN CASE $sort WHEN 'received_at' THEN received_at WHEN 'due_at' THEN due_at
        WHEN 'completed_at' THEN completed_at END END DESC NULLS LAST,
    CASE WHEN NOT $desc THEN CASE $sort WHEN 'working_days_late' THEN working_days_late
        WHEN 'working_days_left' THEN working_days_left END END ASC NULLS LAST,
    CASE WHEN $desc THEN CASE $sort WHEN 'working_days_late' THEN working_days_late
        WHEN 'working_days_left' THEN working_days_left END END DESC NULLS LAST,
    due_at, dossier_id
LIMIT $limit OFFSET $offset;
