-- checked_counts: rows read (valid CSV records), accepted and rejected of the file just checked.
SELECT count(*) AS records, count(*) FILTER (WHERE len(_errors) = 0) AS accepted,
       count(*) FILTER (WHERE len(_errors) > 0) AS rejected
FROM checked;
