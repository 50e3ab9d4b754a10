-- csv_error_lines: how many lines of the file just read were not valid CSV records.
SELECT count(DISTINCT line) FROM reject_errors;
