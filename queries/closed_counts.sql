-- closed_counts: the form's unit × field counts frozen by a closing ($unit NULL: every unit the reader may see).
SELECT * EXCLUDE (closure_seq) FROM closed_counts
WHERE closure_seq = $seq AND ($unit IS NULL OR unit_code = $unit)
ORDER BY unit_code, field;
