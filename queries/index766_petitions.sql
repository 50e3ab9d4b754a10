-- index766_petitions: per unit, the 766 petition indicators for petitions received in [$start, $end):
--   5.2 on time: handled within $handle_days working days of receipt (refused: within $refuse_days), or still
--       open at $end and not yet past that deadline; 5.3 = petitions − (rated dissatisfied or handled late).
-- Working days from the calendar (Mon–Fri minus holidays): wd_index(handled) − wd_index(received).
WITH p AS (
    SELECT p.unit_code, p.handled_at, p.rating,
           CASE WHEN coalesce(p.refused, false) THEN $refuse_days ELSE $handle_days END AS allowed,
           cr.wd_index AS wd_received, ch.wd_index AS wd_handled, ce.wd_index AS wd_end
    FROM petitions p
    LEFT JOIN calendar cr ON cr.date = CAST(p.received_at AS DATE)
    LEFT JOIN calendar ch ON ch.date = CAST(p.handled_at AS DATE)
    LEFT JOIN calendar ce ON ce.date = CAST($end AS DATE) - 1
    WHERE p.received_at >= $start AND p.received_at < $end
), j AS (
    SELECT *, CASE WHEN handled_at IS NOT NULL AND handled_at < $end THEN wd_handled - wd_received <= allowed
                   ELSE wd_end - wd_received <= allowed END AS on_time,
              handled_at IS NOT NULL AND handled_at < $end AND wd_handled - wd_received > allowed AS handled_late
    FROM p
)
SELECT unit_code, count(*) AS petitions,
       count(*) FILTER (WHERE coalesce(on_time, false)) AS p52_num,
       count(*) - count(*) FILTER (WHERE rating = 'khong_hai_long' OR coalesce(handled_late, false)) AS p53_num
FROM j GROUP BY unit_code ORDER BY unit_code;
