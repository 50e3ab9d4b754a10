-- copy_old: carry the published database (attached as `old`) into the new file being built.
INSERT INTO units BY NAME SELECT * FROM cchc_published.units;
INSERT INTO dossiers BY NAME SELECT * FROM cchc_published.dossiers;
INSERT INTO targets BY NAME SELECT * FROM cchc_published.targets;
INSERT INTO surveys BY NAME SELECT * FROM cchc_published.surveys;
INSERT INTO par_index BY NAME SELECT * FROM cchc_published.par_index;
INSERT INTO plan_tasks BY NAME SELECT * FROM cchc_published.plan_tasks;
INSERT INTO holidays BY NAME SELECT * FROM cchc_published.holidays;
INSERT INTO procedures BY NAME SELECT * FROM cchc_published.procedures;
INSERT INTO imports BY NAME SELECT * FROM cchc_published.imports;
INSERT INTO rejects BY NAME SELECT * FROM cchc_published.rejects;
INSERT INTO settings BY NAME SELECT * FROM cchc_published.settings;
