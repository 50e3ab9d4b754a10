-- closure_next_seq: the number of the next closing (closures of every period, reopened ones included).
SELECT coalesce(max(closure_seq), 0) + 1 FROM closures;
