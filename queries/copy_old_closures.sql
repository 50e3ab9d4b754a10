-- copy_old_closures: carry the closed periods (chốt số liệu) and their frozen counts into the new build, so a
-- closure survives every later import and republication.
INSERT INTO closures BY NAME SELECT * FROM cchc_published.closures;
INSERT INTO closed_counts BY NAME SELECT * FROM cchc_published.closed_counts;
