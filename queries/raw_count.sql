-- raw_count: records read from the file just read.
SELECT count(*) FROM raw;
