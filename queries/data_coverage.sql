-- data_coverage: what the published data covers (for "data as of" and the data page).
SELECT count(*) AS dossiers, min(received_at) AS first_received, max(received_at) AS last_received,
       max(completed_at) AS last_completed, max(updated_at) AS last_updated,
       -- the data's as-of moment (data-contract §2): the latest receipt, completion or row export (updated_at)
       greatest(max(received_at), max(completed_at), max(updated_at)) AS data_as_of,
       (SELECT max(imported_at) FROM imports) AS last_import,
       (SELECT count(*) FROM units) AS units,
       (SELECT count(*) FROM rejects WHERE resolved_by IS NULL) AS open_rejects
FROM dossiers;
