-- copy_old_unit_changes: carry the published unit changes (mergers, splits…) into the new build.
INSERT INTO unit_changes BY NAME SELECT * FROM cchc_published.unit_changes;
