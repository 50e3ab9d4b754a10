-- copy_old_skipped: carry the skipped-rows log of the published database into the new build.
INSERT INTO skipped BY NAME SELECT * FROM cchc_published.skipped;
