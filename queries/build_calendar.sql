-- build_calendar: one row per day with a running count of working days (Mon–Fri minus holidays),
-- so "working days between a and b" is a subtraction: wd_index(b) - wd_index(a).
CREATE OR REPLACE TABLE calendar AS
WITH bounds AS (
    SELECT least(coalesce((SELECT min(received_at)::DATE FROM dossiers), current_date),
                 coalesce((SELECT min(date) FROM holidays), current_date), current_date) - INTERVAL 400 DAY AS lo,
           greatest(coalesce((SELECT max(due_at)::DATE FROM dossiers), current_date),
                    coalesce((SELECT max(date) FROM holidays), current_date), current_date) + INTERVAL 800 DAY AS hi
), days AS (
    SELECT CAST(d AS DATE) AS date FROM bounds, range(bounds.lo, bounds.hi, INTERVAL 1 DAY) t(d)
)
SELECT d.date,
       isodow(d.date) <= 5 AND h.date IS NULL AS is_working,
       h.name AS holiday,
       sum(CASE WHEN isodow(d.date) <= 5 AND h.date IS NULL THEN 1 ELSE 0 END) OVER (ORDER BY d.date) AS wd_index
FROM days d LEFT JOIN holidays h USING (date)
ORDER BY d.date;
