-- late_count: how many dossiers late_set holds for the filters (the early-warning count on the overview).
SELECT count(*) AS n FROM ({{ late_set }}) s;
