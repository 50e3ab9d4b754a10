-- satisfaction: survey responses answered in [$start, $end) per unit; satisfied = very satisfied + satisfied.
-- From survey_daily (midnight bounds); satisfaction_scan counts the responses themselves (held equal by a test).
SELECT unit_code, CAST(sum(responses) AS BIGINT) AS responses, CAST(sum(satisfied) AS BIGINT) AS satisfied,
       CAST(sum(very_satisfied) AS BIGINT) AS very_satisfied, CAST(sum(satisfied_only) AS BIGINT) AS satisfied_only,
       CAST(sum(neutral) AS BIGINT) AS neutral, CAST(sum(dissatisfied) AS BIGINT) AS dissatisfied
FROM survey_daily
WHERE day >= CAST($start AS DATE) AND day < CAST($end AS DATE)
GROUP BY unit_code ORDER BY unit_code;
