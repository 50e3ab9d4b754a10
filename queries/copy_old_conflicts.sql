-- copy_old_conflicts: carry the conflicts log of the published database into the new build.
INSERT INTO conflicts BY NAME SELECT * FROM cchc_published.conflicts;
