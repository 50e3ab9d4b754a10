-- check_procedures: type and validate the procedure catalogue; accepted rows go to staged_procedures.
CREATE OR REPLACE TEMP TABLE checked AS
WITH t AS (
    SELECT r._line, r AS _row, _text(r.procedure_code) AS procedure_code, _text(r.procedure_name) AS procedure_name,
        _text(r.field) AS field, _int(r.statutory_days) AS statutory_days
    FROM raw_numbered r
)
SELECT _line, procedure_code AS _key,
    list_filter([
        _required('procedure_code', procedure_code),
        CASE WHEN statutory_days IS NULL OR statutory_days < 0 OR statutory_days > 365
             THEN _bad_value('statutory_days', coalesce(_row.statutory_days, ''), 'số ngày làm việc') END
    ], lambda e: e IS NOT NULL) AS _errors,
    procedure_code, procedure_name, field, statutory_days
FROM t;
INSERT INTO staged_procedures BY NAME
SELECT * EXCLUDE (_line, _key, _errors), $seq AS import_seq FROM checked WHERE len(_errors) = 0;
