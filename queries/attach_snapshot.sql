-- attach_snapshot: a published database, read-only, for serving queries.
ATTACH $path AS db (READ_ONLY);
