-- checked_counts: rows read (valid CSV records), accepted, rejected and skipped of the file just checked, and
-- how many accepted rows state a timeliness their dates contradict (a warning).
SELECT count(*) AS records,
       count(*) FILTER (WHERE len(_errors) = 0 AND _skip IS NULL) AS accepted,
       count(*) FILTER (WHERE len(_errors) > 0 AND _skip IS NULL) AS rejected,
       count(*) FILTER (WHERE _skip IS NOT NULL) AS skipped,
       count(*) FILTER (WHERE len(_errors) = 0 AND _skip IS NULL AND _timeliness_mismatch) AS mismatched
FROM checked;
