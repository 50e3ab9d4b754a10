-- merge_staged: fold a batch's accepted dossiers into the table (after merge_reference has folded each reference
-- table: the later import wins for a key). Dossiers: the newest `updated_at` wins whatever the
-- order files come in (ties: the later import, then the later line), so re-imports change nothing.
-- Dossiers are stored sorted by received_at: period filters then skip most row groups (zone maps).
-- The newest version wins (updated_at, else the file's export date, else the import moment: version_at), except
-- that a row of unknown version (version_source 'import') never moves a completed dossier back to open.
-- (dossiers where that can happen: an open staged row of unknown version, and a completed row somewhere)
CREATE OR REPLACE TEMP TABLE _reopen AS
SELECT DISTINCT s.dossier_id FROM staged_dossiers s
WHERE s.version_source = 'import' AND s.completed_at IS NULL
  AND (s.dossier_id IN (SELECT dossier_id FROM dossiers WHERE completed_at IS NOT NULL)
       OR s.dossier_id IN (SELECT dossier_id FROM staged_dossiers WHERE completed_at IS NOT NULL));
-- Only the keys held by more than one row go through the window (every _reopen key is one of them): a first import
-- into an empty table, or a file of new dossiers, is a plain hash count of the keys, not a sort of whole rows.
CREATE OR REPLACE TEMP TABLE _dup AS
SELECT dossier_id FROM (SELECT dossier_id FROM dossiers UNION ALL SELECT dossier_id FROM staged_dossiers)
GROUP BY dossier_id HAVING count(*) > 1;
CREATE OR REPLACE TABLE dossiers AS
WITH a AS NOT MATERIALIZED (SELECT * FROM dossiers UNION ALL BY NAME SELECT * FROM staged_dossiers)
SELECT * FROM (
    SELECT a.* FROM a ANTI JOIN _dup USING (dossier_id)
    UNION ALL BY NAME
    SELECT a.* FROM a SEMI JOIN _dup USING (dossier_id)
    LEFT JOIN _reopen r USING (dossier_id)
    QUALIFY row_number() OVER (PARTITION BY a.dossier_id
                               ORDER BY (r.dossier_id IS NOT NULL AND a.version_source = 'import' AND a.completed_at IS NULL),
                                        coalesce(a.version_at, a.updated_at) DESC NULLS LAST, a.import_seq DESC,
                                        a.source_line DESC) = 1)
ORDER BY received_at, unit_code;

-- Rows of this batch that would have moved a completed dossier back to open and were not applied.
DELETE FROM conflicts USING staged_dossiers s
WHERE conflicts.dossier_id = s.dossier_id AND conflicts.file_name = s.source_file AND conflicts.line = s.source_line;
INSERT INTO conflicts BY NAME
SELECT s.import_seq, s.source_file AS file_name, s.source_line AS line, s.dossier_id,
       coalesce(s.status_raw, s.status) AS incoming_status, s.version_at AS incoming_version,
       s.version_source AS incoming_version_source, coalesce(d.status_raw, d.status) AS kept_status,
       d.completed_at AS kept_completed_at, coalesce(d.version_at, d.updated_at) AS kept_version, d.source_file AS kept_file,
       CASE WHEN coalesce(s.version_source, '') = 'import'
            THEN 'dòng chưa giải quyết không có ngày cập nhật hay ngày xuất tệp: không ghi đè hồ sơ đã có kết quả'
            ELSE 'dòng chưa giải quyết cũ hơn (' || strftime(s.version_at, '%d/%m/%Y %H:%M') || ') so với hồ sơ đã có kết quả ('
                 || coalesce(strftime(coalesce(d.version_at, d.updated_at), '%d/%m/%Y %H:%M'), '?') || ')' END AS reason
FROM staged_dossiers s JOIN dossiers d USING (dossier_id)
WHERE s.completed_at IS NULL AND d.completed_at IS NOT NULL
  AND NOT (d.import_seq = s.import_seq AND d.source_line = s.source_line);

-- A quarantined row counts as fixed once a later import accepted a row with its key.
UPDATE rejects SET resolved_by = s.import_seq
FROM (SELECT dossier_id AS k, max(import_seq) AS import_seq FROM staged_dossiers GROUP BY 1) s
WHERE rejects.kind = 'dossiers' AND rejects.resolved_by IS NULL AND rejects.record_key = s.k
  AND rejects.import_seq < s.import_seq;
