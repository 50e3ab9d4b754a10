-- portal_results_period: the portal's published 766 results for one period key ($period), every unit.
SELECT period, unit_code, indicator, score, max_points, rank FROM portal_results WHERE period = $period
ORDER BY unit_code, indicator;
