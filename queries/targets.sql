-- targets: every target row (year, kpi, comparator, value, scope, source).
SELECT year, kpi, comparator, value, scope, source FROM targets ORDER BY year, kpi, scope;
