-- copy_old_petitions: carry the petitions (PAKN) of the published database into the new build.
INSERT INTO petitions BY NAME SELECT * FROM cchc_published.petitions;
