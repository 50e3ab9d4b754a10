-- attach_old: the published database, read-only, as the source a new build starts from.
ATTACH $path AS old (READ_ONLY);
