-- attach_old: the published database, read-only, as the source a new build starts from.
ATTACH $path AS cchc_published (READ_ONLY);
