-- short_first_line: the first record of the file just read rejected for having fewer cells than the header.
SELECT min(line) FROM _short_bad;
