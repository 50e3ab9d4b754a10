-- events: the timeline events overlapping [$start, $end] (dates) that a chart of $unit (NULL: the reader's whole
-- scope) shows: the city-wide ones and those of the unit (or of the units the reader may see; `units` is the
-- reader's scoped view, so a ward never reads another ward's events).
SELECT start_date, coalesce(end_date, start_date) AS end_date, label, kind, unit_code
FROM events
WHERE start_date <= $end AND coalesce(end_date, start_date) >= $start
  AND (unit_code IS NULL
       OR ($unit IS NULL AND unit_code IN (SELECT unit_code FROM units))
       OR unit_code = $unit)
ORDER BY start_date, label;
