-- short_count: records of the file just read rejected by short_rows (fewer cells than the header).
SELECT count(*) FROM _short_bad;
