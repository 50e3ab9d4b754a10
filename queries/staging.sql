-- staging: empty temp tables that collect the accepted rows of one import batch.
CREATE OR REPLACE TEMP TABLE staged_units AS SELECT * FROM units LIMIT 0;
CREATE OR REPLACE TEMP TABLE staged_dossiers AS SELECT * FROM dossiers LIMIT 0;
CREATE OR REPLACE TEMP TABLE staged_targets AS SELECT * FROM targets LIMIT 0;
CREATE OR REPLACE TEMP TABLE staged_surveys AS SELECT * FROM surveys LIMIT 0;
CREATE OR REPLACE TEMP TABLE staged_par_index AS SELECT * FROM par_index LIMIT 0;
CREATE OR REPLACE TEMP TABLE staged_plan_tasks AS SELECT * FROM plan_tasks LIMIT 0;
CREATE OR REPLACE TEMP TABLE staged_holidays AS SELECT * FROM holidays LIMIT 0;
CREATE OR REPLACE TEMP TABLE staged_events AS SELECT * FROM events LIMIT 0;
CREATE OR REPLACE TEMP TABLE staged_procedures AS SELECT * FROM procedures LIMIT 0;
CREATE OR REPLACE TEMP TABLE staged_petitions AS SELECT * FROM petitions LIMIT 0;
CREATE OR REPLACE TEMP TABLE staged_portal_results AS SELECT * FROM portal_results LIMIT 0;
CREATE OR REPLACE TEMP TABLE staged_unit_changes AS SELECT * FROM unit_changes LIMIT 0;
CREATE OR REPLACE TEMP TABLE staged_boundaries AS SELECT * FROM boundaries LIMIT 0;
CREATE OR REPLACE TEMP VIEW known_units AS SELECT unit_code FROM units UNION SELECT unit_code FROM staged_units;
