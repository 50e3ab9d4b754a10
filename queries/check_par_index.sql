-- check_par_index: type and validate a PAR INDEX ranking; accepted rows go to staged_par_index.
CREATE OR REPLACE TEMP TABLE checked AS
WITH t AS (
    SELECT r._line, r AS _row, _int(r.year) AS year, _text(r.peer_code) AS peer_code,
        _text(r.peer_name) AS peer_name, _num(r.score) AS score, _int(r.rank) AS rank
    FROM raw_numbered r
)
SELECT _line, year || '/' || peer_code AS _key,
    list_filter([
        CASE WHEN year IS NULL OR year NOT BETWEEN 2000 AND 2100 THEN _bad_value('year', coalesce(_row.year, ''), 'năm') END,
        _required('peer_code', peer_code),
        _required('peer_name', peer_name),
        CASE WHEN score IS NULL OR score < 0 OR score > 100 THEN _bad_value('score', coalesce(_row.score, ''), 'điểm (0–100)') END,
        CASE WHEN rank IS NULL OR rank < 1 OR rank > 10000 THEN _bad_value('rank', coalesce(_row.rank, ''), 'thứ hạng (1–10.000)') END
    ], lambda e: e IS NOT NULL) AS _errors,
    year, peer_code, peer_name, score, rank
FROM t;
INSERT INTO staged_par_index BY NAME
SELECT * EXCLUDE (_line, _key, _errors), $seq AS import_seq FROM checked WHERE len(_errors) = 0;
