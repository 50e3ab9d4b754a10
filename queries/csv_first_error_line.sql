-- csv_first_error_line: the first line of the file just read that was not a valid CSV record.
SELECT min(line) FROM reject_errors;
