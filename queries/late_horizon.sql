-- late_horizon: the early-warning horizon, the end of the $days-th working day after $as_of's day.
SELECT min(c.date) + INTERVAL 1 DAY AS until
FROM calendar c, (SELECT wd_index FROM calendar WHERE date = CAST($as_of AS DATE)) today
WHERE c.is_working AND c.wd_index = today.wd_index + $days
