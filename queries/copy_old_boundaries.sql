-- copy_old_boundaries: carry the published ward boundaries (GeoJSON geometries) into the new build.
INSERT INTO boundaries BY NAME SELECT * FROM cchc_published.boundaries;
