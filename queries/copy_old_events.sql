-- copy_old_events: carry the published timeline events into the new build.
INSERT INTO events BY NAME SELECT * FROM cchc_published.events;
