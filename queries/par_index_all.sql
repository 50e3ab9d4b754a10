-- par_index_all: every published PAR INDEX result (year, peer, score, rank).
SELECT year, peer_code, peer_name, score, rank FROM par_index ORDER BY year, rank;
