-- copy_old: carry the published database (attached as `old`) into the new file being built.
INSERT INTO units BY NAME SELECT * FROM old.units;
INSERT INTO dossiers BY NAME SELECT * FROM old.dossiers;
INSERT INTO targets BY NAME SELECT * FROM old.targets;
INSERT INTO surveys BY NAME SELECT * FROM old.surveys;
INSERT INTO par_index BY NAME SELECT * FROM old.par_index;
INSERT INTO plan_tasks BY NAME SELECT * FROM old.plan_tasks;
INSERT INTO holidays BY NAME SELECT * FROM old.holidays;
INSERT INTO procedures BY NAME SELECT * FROM old.procedures;
INSERT INTO imports BY NAME SELECT * FROM old.imports;
INSERT INTO rejects BY NAME SELECT * FROM old.rejects;
INSERT INTO settings BY NAME SELECT * FROM old.settings;
