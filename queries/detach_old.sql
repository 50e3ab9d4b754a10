-- detach_old: done copying from the published database.
DETACH old;
