-- satisfaction_scan: satisfaction straight from the survey responses (reference; held equal by a test).
SELECT unit_code, count(*) AS responses,
       count(*) FILTER (WHERE rating IN ('rat_hai_long', 'hai_long')) AS satisfied,
       count(*) FILTER (WHERE rating = 'rat_hai_long') AS very_satisfied,
       count(*) FILTER (WHERE rating = 'hai_long') AS satisfied_only,
       count(*) FILTER (WHERE rating = 'binh_thuong') AS neutral,
       count(*) FILTER (WHERE rating = 'khong_hai_long') AS dissatisfied
FROM surveys
WHERE answered_at >= $start AND answered_at < $end
GROUP BY unit_code ORDER BY unit_code;
