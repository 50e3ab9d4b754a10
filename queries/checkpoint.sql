-- checkpoint: flush the WAL into the database file before it is published.
CHECKPOINT;
