-- checked_top_reasons: for the file just checked, the five most frequent reasons rows were rejected (by the
-- first failing column) and skipped, each with its count and its first line as an example.
SELECT * FROM (
    SELECT 'reject' AS what,
           coalesce(h.label, c._errors[1].column_name) || ': ' || regexp_replace(c._errors[1].reason, '«[^»]*»', '«…»') AS reason,
           count(*) AS n, min(c._line) AS line, arg_min(c._errors[1].reason, c._line) AS example
    FROM checked c LEFT JOIN _headers h ON h.canonical = c._errors[1].column_name
    WHERE len(c._errors) > 0 AND c._skip IS NULL GROUP BY 1, 2 ORDER BY n DESC, line LIMIT 5)
UNION ALL
SELECT * FROM (
    SELECT 'skip', regexp_replace(_skip, ':? ?«[^»]*»', ''), count(*) AS n, min(_line) AS line, arg_min(_skip, _line)
    FROM checked WHERE _skip IS NOT NULL GROUP BY 1, 2 ORDER BY n DESC, line LIMIT 5);
