-- detach_old: done copying from the published database.
DETACH cchc_published;
