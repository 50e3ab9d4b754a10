-- raw_plain_count: records read from the plain lines of the file just read (no line of their own yet).
SELECT count(*) FROM raw WHERE __line IS NULL;
