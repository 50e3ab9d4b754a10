-- check_unit_changes: type and validate mergers / splits / renames / transfers of units; both codes must be
-- known units (published or loaded earlier in this batch); accepted rows go to staged_unit_changes.
CREATE OR REPLACE TEMP TABLE checked AS
WITH t AS (
    SELECT r._line, r AS _row, _text(r.old_code) AS old_code, _text(r.new_code) AS new_code,
        CAST(_ts(r.effective_date) AS DATE) AS effective_date, _enum('change_kind', r.kind) AS kind
    FROM raw_numbered r
)
SELECT _line, old_code || '>' || new_code AS _key,
    list_filter([
        CASE WHEN old_code IS NULL THEN _missing('old_code')
             WHEN old_code NOT IN (SELECT unit_code FROM known_units)
             THEN _err('old_code', 'mã đơn vị không có trong danh mục đơn vị: «' || left(old_code, 80) || '»') END,
        CASE WHEN new_code IS NULL THEN _missing('new_code')
             WHEN new_code NOT IN (SELECT unit_code FROM known_units)
             THEN _err('new_code', 'mã đơn vị không có trong danh mục đơn vị: «' || left(new_code, 80) || '»')
             WHEN new_code = old_code THEN _err('new_code', 'đơn vị mới trùng đơn vị cũ') END,
        CASE WHEN _blank(_row.effective_date) THEN _missing('effective_date')
             WHEN effective_date IS NULL THEN _bad_value('effective_date', _row.effective_date, 'ngày') END,
        CASE WHEN _blank(_row.kind) THEN _missing('kind')
             WHEN kind IS NULL THEN _bad_value('kind', _row.kind, 'hình thức (merge/split/rename/transfer)') END
    ], lambda e: e IS NOT NULL) AS _errors,
    old_code, new_code, effective_date, kind
FROM t;
INSERT INTO staged_unit_changes BY NAME
SELECT * EXCLUDE (_line, _key, _errors), $seq AS import_seq FROM checked WHERE len(_errors) = 0;
