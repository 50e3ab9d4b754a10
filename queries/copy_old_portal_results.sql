-- copy_old_portal_results: carry the portal's published results of the published database into the new build.
INSERT INTO portal_results BY NAME SELECT * FROM cchc_published.portal_results;
