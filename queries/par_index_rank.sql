-- par_index_rank: the city's PAR INDEX rank in the latest published year up to $year, and the peers count.
WITH y AS (SELECT max(year) AS year FROM par_index WHERE year <= $year AND peer_code = $peer)
SELECT p.year, p.rank, p.score, (SELECT count(*) FROM par_index q WHERE q.year = p.year) AS peers
FROM par_index p, y WHERE p.year = y.year AND p.peer_code = $peer;
