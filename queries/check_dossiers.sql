-- check_dossiers: type and validate a raw dossier extract; accepted rows go to staged_dossiers.
-- enum spellings are folded once per distinct value, not once per row
CREATE OR REPLACE TEMP TABLE _enum_values AS
WITH v AS (SELECT DISTINCT 'service_level' AS kind, service_level AS raw FROM raw_numbered
           UNION SELECT DISTINCT 'channel', channel FROM raw_numbered
           UNION SELECT DISTINCT 'status', status FROM raw_numbered)
SELECT v.kind, v.raw, a.value FROM v JOIN _enum_alias a ON a.kind = v.kind AND a.alias = _fold(v.raw);
CREATE OR REPLACE TEMP TABLE checked AS
WITH t AS (
    SELECT r._line, r AS _row,
        _text(r.dossier_id) AS dossier_id, _text(r.unit_code) AS unit_code,
        _text(r.procedure_code) AS procedure_code, _text(r.procedure_name) AS procedure_name,
        _text(r.field) AS field, sl.value AS service_level, ch.value AS channel,
        _ts(r.received_at) AS received_at, _ts(r.due_at) AS due_at, _ts(r.completed_at) AS completed_at,
        _ts(r.returned_at) AS returned_at, st.value AS status_in,
        _bool(r.has_fee) AS has_fee, _bool(r.paid_online) AS paid_online, _bool(r.e_result) AS e_result,
        _bool(r.digitized) AS digitized, _bool(r.postal_return) AS postal_return,
        _text(r.handler) AS handler, _text(r.late_reason) AS late_reason,
        _text(r.applicant_name) AS applicant_name, _ts(r.updated_at) AS updated_at
    FROM raw_numbered r
    LEFT JOIN _enum_values sl ON sl.kind = 'service_level' AND sl.raw = r.service_level
    LEFT JOIN _enum_values ch ON ch.kind = 'channel' AND ch.raw = r.channel
    LEFT JOIN _enum_values st ON st.kind = 'status' AND st.raw = r.status
)
SELECT _line, dossier_id AS _key,
    list_filter([
        CASE WHEN dossier_id IS NULL THEN _missing('dossier_id') END,
        CASE WHEN unit_code IS NULL THEN _missing('unit_code')
             WHEN ku.unit_code IS NULL
             THEN _err('unit_code', 'mã đơn vị «' || unit_code || '» không có trong danh mục đơn vị') END,
        CASE WHEN procedure_code IS NULL THEN _missing('procedure_code') END,
        CASE WHEN field IS NULL THEN _missing('field') END,
        CASE WHEN NOT _blank(_row.service_level) AND service_level IS NULL
             THEN _bad_value('service_level', _row.service_level, 'mức độ DVC') END,
        CASE WHEN _blank(_row.channel) THEN _missing('channel')
             WHEN channel IS NULL THEN _bad_value('channel', _row.channel, 'hình thức tiếp nhận') END,
        CASE WHEN _blank(_row.received_at) THEN _missing('received_at')
             WHEN received_at IS NULL THEN _bad_value('received_at', _row.received_at, 'ngày') END,
        CASE WHEN _blank(_row.due_at) THEN _missing('due_at')
             WHEN due_at IS NULL THEN _bad_value('due_at', _row.due_at, 'ngày')
             WHEN due_at < received_at THEN _err('due_at', 'ngày hẹn trả trước ngày tiếp nhận') END,
        CASE WHEN _bad(_row.completed_at, completed_at) THEN _bad_value('completed_at', _row.completed_at, 'ngày')
             WHEN completed_at < received_at THEN _err('completed_at', 'ngày có kết quả trước ngày tiếp nhận') END,
        CASE WHEN _bad(_row.returned_at, returned_at) THEN _bad_value('returned_at', _row.returned_at, 'ngày')
             WHEN returned_at < received_at THEN _err('returned_at', 'ngày trả kết quả trước ngày tiếp nhận') END,
        CASE WHEN NOT _blank(_row.status) AND status_in IS NULL
             THEN _bad_value('status', _row.status, 'trạng thái')
             WHEN status_in IN ('da_giai_quyet', 'tra_lai') AND completed_at IS NULL AND NOT _bad(_row.completed_at, completed_at)
             THEN _err('completed_at', 'trạng thái đã giải quyết nhưng thiếu ngày có kết quả') END,
        CASE WHEN _bad(_row.has_fee, has_fee) THEN _bad_value('has_fee', _row.has_fee, 'giá trị có/không') END,
        CASE WHEN _bad(_row.paid_online, paid_online) THEN _bad_value('paid_online', _row.paid_online, 'giá trị có/không') END,
        CASE WHEN _bad(_row.e_result, e_result) THEN _bad_value('e_result', _row.e_result, 'giá trị có/không') END,
        CASE WHEN _bad(_row.digitized, digitized) THEN _bad_value('digitized', _row.digitized, 'giá trị có/không') END,
        CASE WHEN _bad(_row.postal_return, postal_return) THEN _bad_value('postal_return', _row.postal_return, 'giá trị có/không') END,
        CASE WHEN _bad(_row.updated_at, updated_at) THEN _bad_value('updated_at', _row.updated_at, 'ngày') END
    ], lambda e: e IS NOT NULL) AS _errors,
    dossier_id, unit_code, procedure_code, procedure_name, field, service_level, channel,
    received_at, due_at, completed_at, returned_at,
    coalesce(status_in, CASE WHEN completed_at IS NULL THEN 'dang_xu_ly' ELSE 'da_giai_quyet' END) AS status,
    has_fee, paid_online, e_result, digitized, postal_return, handler, late_reason, applicant_name, updated_at
FROM t LEFT JOIN (SELECT DISTINCT unit_code FROM known_units) ku USING (unit_code);
INSERT INTO staged_dossiers BY NAME
SELECT * EXCLUDE (_line, _key, _errors), $seq AS import_seq, $file_name AS source_file, _line AS source_line
FROM checked WHERE len(_errors) = 0;
