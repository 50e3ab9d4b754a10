-- check_dossiers: type and validate a raw dossier extract; accepted rows go to staged_dossiers.
-- Rows classified as not dossiers (_class: blank, total, group, signature rows) are skipped, never rejected.
-- Codes missing from the file are resolved from names (_lookup: units, procedures, group fields, resolved
-- once per distinct name in Python); the field falls back on the procedures catalogue (_catalogue); a blank
-- channel is $default_channel. Vocabularies come from the profile (_vocab: channel, status with its finer
-- status_detail, timeliness words). Dates: a due date without a time is the end of that day ($due_eod); a date
-- before $lo, a received/completed/returned/updated date after $hi (the import moment plus a tolerance) or a
-- due date after $due_hi is rejected, so a typo can never move the data's as-of moment.
-- enum spellings are folded once per distinct value, not once per row
CREATE OR REPLACE TEMP TABLE _enum_values AS
WITH v AS (SELECT DISTINCT 'service_level' AS kind, service_level AS raw FROM raw_numbered
           UNION SELECT DISTINCT 'channel', channel FROM raw_numbered
           UNION SELECT DISTINCT 'status', status FROM raw_numbered
           UNION SELECT DISTINCT 'status', timeliness FROM raw_numbered
           UNION SELECT DISTINCT 'timeliness', timeliness FROM raw_numbered
           UNION SELECT DISTINCT 'timeliness', status FROM raw_numbered)
SELECT v.kind, v.raw, a.value, a.detail
FROM v JOIN (SELECT kind, alias, value, detail FROM _vocab
             UNION ALL SELECT kind, alias, value, NULL FROM _enum_alias WHERE kind = 'service_level') a
     ON a.kind = v.kind AND a.alias = _fold(v.raw);
-- one row per distinct raw text of the status / "Tình trạng" columns: what it means as a status and as timeliness
CREATE OR REPLACE TEMP TABLE _status_values AS
SELECT raw, any_value(value) FILTER (WHERE kind = 'status') AS status, any_value(detail) FILTER (WHERE kind = 'status') AS detail,
       any_value(value) FILTER (WHERE kind = 'timeliness') AS timeliness
FROM _enum_values WHERE kind IN ('status', 'timeliness') GROUP BY raw;
-- every distinct date text of the file parsed once, joined back by its text (the same values): _ts is a large
-- expression, and written once per date column (due_at twice) it made planning the check below the largest fixed
-- cost of a small import (bench/import_fixed.py: this file's CPU 190 -> 120 ms for a 5-row file, with the split below)
CREATE OR REPLACE TEMP TABLE _date_values AS
SELECT raw, _ts(raw) AS ts
FROM (SELECT received_at AS raw FROM raw_numbered UNION SELECT due_at FROM raw_numbered
      UNION SELECT completed_at FROM raw_numbered UNION SELECT returned_at FROM raw_numbered
      UNION SELECT updated_at FROM raw_numbered UNION SELECT supplement_requested_at FROM raw_numbered)
WHERE raw IS NOT NULL;
-- the cells typed and resolved (one statement), then checked (the next): two smaller plans cost less than one
CREATE OR REPLACE TEMP TABLE _typed AS
WITH t AS (
    SELECT r._line, r AS _row, cl.reason AS _skip,
        _text(r.dossier_id) AS dossier_id,
        coalesce(ku.unit_code, lu.code) AS unit_code,
        coalesce(_text(r.unit_code), _text(r.unit_name), $title_unit) AS unit_raw,
        CASE WHEN _text(r.unit_code) IS NOT NULL THEN 'unit_code' WHEN _text(r.unit_name) IS NOT NULL THEN 'unit_name'
             ELSE 'unit_code' END AS unit_col,
        lu.hint AS unit_hint,
        coalesce(_text(r.procedure_code), lp.code) AS procedure_code,
        coalesce(_text(r.procedure_name), g.group_procedure) AS procedure_raw, lp.hint AS procedure_hint,
        coalesce(_text(r.procedure_name), lp.name) AS procedure_name_in,
        coalesce(_text(r.field), lf.field, lp.field) AS field_in,
        _text(r.field_code) AS field_code,
        sl.value AS service_level,
        CASE WHEN _blank(r.channel) THEN $default_channel ELSE ch.value END AS channel,
        d_rec.ts AS received_at,
        CASE WHEN $due_eod AND _date_only(r.due_at) THEN d_due.ts + INTERVAL '23:59:59' ELSE d_due.ts END AS due_at,
        d_comp.ts AS completed_at,
        d_ret.ts AS returned_at,
        coalesce(sv.status, tv.status) AS status_in, coalesce(sv.detail, tv.detail) AS status_detail,
        coalesce(CASE WHEN sv.status IS NOT NULL THEN _text(r.status) END, CASE WHEN tv.status IS NOT NULL THEN _text(r.timeliness) END) AS status_raw,
        coalesce(tv.timeliness, sv.timeliness) AS timeliness,
        _bool(r.has_fee) AS has_fee, _bool(r.paid_online) AS paid_online, _bool(r.e_result) AS e_result,
        _bool(r.digitized) AS digitized, _bool(r.postal_return) AS postal_return,
        _text(r.handler) AS handler, _text(r.late_reason) AS late_reason,
        _text(r.applicant_name) AS applicant_name, d_upd.ts AS updated_at,
        d_sup.ts AS supplement_requested_at, _int(r.supplement_count) AS supplement_count,
        _bool(r.reused_data) AS reused_data, _bool(r.synced_national) AS synced_national,
        _bool(r.paper_result_required) AS paper_result_required
    FROM raw_numbered r
    LEFT JOIN _class cl USING (_line)
    LEFT JOIN _groups g USING (_line)
    LEFT JOIN (SELECT DISTINCT unit_code FROM known_units) ku ON ku.unit_code = _text(r.unit_code)
    LEFT JOIN _lookup lu ON lu.what = 'unit' AND lu.raw = coalesce(_text(r.unit_code), _text(r.unit_name), $title_unit)
    LEFT JOIN _lookup lp ON lp.what = 'procedure' AND lp.raw = coalesce(_text(r.procedure_name), g.group_procedure)
                         AND _text(r.procedure_code) IS NULL
    LEFT JOIN _lookup lf ON lf.what = 'field' AND lf.raw = g.group_field
    LEFT JOIN _enum_values sl ON sl.kind = 'service_level' AND sl.raw = r.service_level
    LEFT JOIN _enum_values ch ON ch.kind = 'channel' AND ch.raw = r.channel
    LEFT JOIN _status_values sv ON sv.raw = r.status
    LEFT JOIN _status_values tv ON tv.raw = r.timeliness
    LEFT JOIN _date_values d_rec ON d_rec.raw = r.received_at
    LEFT JOIN _date_values d_due ON d_due.raw = r.due_at
    LEFT JOIN _date_values d_comp ON d_comp.raw = r.completed_at
    LEFT JOIN _date_values d_ret ON d_ret.raw = r.returned_at
    LEFT JOIN _date_values d_upd ON d_upd.raw = r.updated_at
    LEFT JOIN _date_values d_sup ON d_sup.raw = r.supplement_requested_at
), c AS (
    SELECT t.*, coalesce(t.field_in, cat.field, t.field_code) AS field,
           coalesce(t.procedure_name_in, cat.procedure_name) AS procedure_name
    FROM t LEFT JOIN _catalogue cat ON cat.procedure_code = t.procedure_code
)
SELECT * FROM c;
CREATE OR REPLACE TEMP TABLE checked AS
SELECT _line, dossier_id AS _key,
    CASE WHEN _skip IS NOT NULL THEN _skip
         WHEN status_in = 'skip' THEN 'hồ sơ chưa được tiếp nhận (trạng thái «' || status_raw || '»): không thuộc biểu' END AS _skip,
    CASE WHEN _skip IS NOT NULL OR status_in = 'skip' THEN [] ELSE list_filter([
        _required('dossier_id', dossier_id),
        CASE WHEN unit_raw IS NULL THEN _missing('unit_code')
             WHEN unit_code IS NULL
             THEN _err(unit_col, CASE unit_col WHEN 'unit_code' THEN 'mã đơn vị «' ELSE 'đơn vị «' END || unit_raw || '» không có trong danh mục đơn vị'
                                 || coalesce(' (gần giống: ' || unit_hint || ')', '')
                                 || CASE WHEN _text(_row.unit_code) IS NULL AND _text(_row.unit_name) IS NULL THEN ' — tên lấy từ tiêu đề tệp' ELSE '' END) END,
        CASE WHEN procedure_code IS NOT NULL THEN NULL
             WHEN procedure_raw IS NULL THEN _missing('procedure_code')
             ELSE _err(CASE WHEN _text(_row.procedure_name) IS NOT NULL THEN 'procedure_name' ELSE 'procedure_code' END,
                       'thủ tục «' || left(procedure_raw, 120) || '» không có trong danh mục thủ tục'
                       || coalesce(' (gần giống: ' || procedure_hint || ')', ' (nạp danh mục thủ tục procedures.csv có tên thủ tục)')) END,
        _required('field', field),
        CASE WHEN NOT _blank(_row.service_level) AND service_level IS NULL
             THEN _bad_value('service_level', _row.service_level, 'mức độ DVC') END,
        CASE WHEN channel IS NULL THEN _bad_value('channel', _row.channel, 'hình thức tiếp nhận') END,
        CASE WHEN _blank(_row.received_at) THEN _missing('received_at')
             WHEN received_at IS NULL THEN _bad_value('received_at', _row.received_at, 'ngày')
             ELSE _out_of_range('received_at', received_at, _row.received_at, $lo, $hi) END,
        CASE WHEN _blank(_row.due_at) THEN _missing('due_at')
             WHEN due_at IS NULL THEN _bad_value('due_at', _row.due_at, 'ngày')
             WHEN due_at < $lo THEN _err('due_at', 'ngày «' || _row.due_at || '» trước năm ' || year($lo) || ' (nhập nhầm?)')
             WHEN due_at > $due_hi THEN _err('due_at', 'ngày hẹn trả «' || _row.due_at || '» quá xa sau thời điểm nạp (nhập nhầm?)')
             WHEN due_at < received_at THEN _err('due_at', 'ngày hẹn trả trước ngày tiếp nhận') END,
        CASE WHEN _bad(_row.completed_at, completed_at) THEN _bad_value('completed_at', _row.completed_at, 'ngày')
             WHEN completed_at < received_at THEN _err('completed_at', 'ngày có kết quả trước ngày tiếp nhận')
             ELSE _out_of_range('completed_at', completed_at, _row.completed_at, $lo, $hi) END,
        CASE WHEN _bad(_row.returned_at, returned_at) THEN _bad_value('returned_at', _row.returned_at, 'ngày')
             WHEN returned_at < received_at THEN _err('returned_at', 'ngày trả kết quả trước ngày tiếp nhận')
             ELSE _out_of_range('returned_at', returned_at, _row.returned_at, $lo, $hi) END,
        CASE WHEN NOT _blank(_row.status) AND status_in IS NULL AND timeliness IS NULL
             THEN _bad_value('status', _row.status, 'trạng thái')
             WHEN NOT _blank(_row.timeliness) AND timeliness IS NULL AND status_in IS NULL
             THEN _bad_value('timeliness', _row.timeliness, 'tình trạng')
             WHEN status_in IN ('da_giai_quyet', 'tra_lai') AND completed_at IS NULL AND NOT _bad(_row.completed_at, completed_at)
             THEN _err('completed_at', 'trạng thái đã giải quyết nhưng thiếu ngày có kết quả') END,
        CASE WHEN _bad(_row.has_fee, has_fee) THEN _bad_value('has_fee', _row.has_fee, 'giá trị có/không') END,
        CASE WHEN _bad(_row.paid_online, paid_online) THEN _bad_value('paid_online', _row.paid_online, 'giá trị có/không') END,
        CASE WHEN _bad(_row.e_result, e_result) THEN _bad_value('e_result', _row.e_result, 'giá trị có/không') END,
        CASE WHEN _bad(_row.digitized, digitized) THEN _bad_value('digitized', _row.digitized, 'giá trị có/không') END,
        CASE WHEN _bad(_row.postal_return, postal_return) THEN _bad_value('postal_return', _row.postal_return, 'giá trị có/không') END,
        CASE WHEN _bad(_row.updated_at, updated_at) THEN _bad_value('updated_at', _row.updated_at, 'ngày')
             ELSE _out_of_range('updated_at', updated_at, _row.updated_at, $lo, $hi) END,
        CASE WHEN _bad(_row.supplement_requested_at, supplement_requested_at)
             THEN _bad_value('supplement_requested_at', _row.supplement_requested_at, 'ngày')
             WHEN supplement_requested_at < received_at THEN _err('supplement_requested_at', 'ngày yêu cầu bổ sung trước ngày tiếp nhận')
             ELSE _out_of_range('supplement_requested_at', supplement_requested_at, _row.supplement_requested_at, $lo, $hi) END,
        CASE WHEN _bad(_row.supplement_count, supplement_count) OR supplement_count < 0 OR supplement_count > 100
             THEN _bad_value('supplement_count', _row.supplement_count, 'số lần') END,
        CASE WHEN _bad(_row.reused_data, reused_data) THEN _bad_value('reused_data', _row.reused_data, 'giá trị có/không') END,
        CASE WHEN _bad(_row.synced_national, synced_national) THEN _bad_value('synced_national', _row.synced_national, 'giá trị có/không') END,
        CASE WHEN _bad(_row.paper_result_required, paper_result_required) THEN _bad_value('paper_result_required', _row.paper_result_required, 'giá trị có/không') END
    ], lambda e: e IS NOT NULL) END AS _errors,
    -- the stated timeliness ("Tình trạng": Trước hạn / Đúng hạn / Quá hạn / Trong hạn) against the dates
    CASE timeliness
        WHEN 'truoc_han' THEN NOT coalesce(CAST(completed_at AS DATE) < CAST(due_at AS DATE), false)
        WHEN 'dung_han' THEN NOT coalesce(completed_at <= due_at, false)
        WHEN 'qua_han' THEN NOT coalesce(completed_at > due_at, completed_at IS NULL AND due_at < coalesce($export_at, $now))
        WHEN 'trong_han' THEN NOT coalesce(completed_at <= due_at, completed_at IS NULL AND due_at >= coalesce($export_at, received_at))
        ELSE false END AS _timeliness_mismatch,
    dossier_id, unit_code, procedure_code, procedure_name, field, service_level, channel,
    received_at, due_at, completed_at, returned_at,
    coalesce(status_in, CASE WHEN completed_at IS NULL THEN 'dang_xu_ly' ELSE 'da_giai_quyet' END) AS status,
    has_fee, paid_online, e_result, digitized, postal_return, handler, late_reason, applicant_name, updated_at,
    supplement_requested_at, supplement_count, reused_data, synced_national, paper_result_required,
    status_detail, status_raw,
    coalesce(updated_at, $export_at, $now) AS version_at,
    CASE WHEN updated_at IS NOT NULL THEN 'row' WHEN $export_at IS NOT NULL THEN 'file' ELSE 'import' END AS version_source
FROM _typed;
INSERT INTO staged_dossiers BY NAME
SELECT * EXCLUDE (_line, _key, _errors, _skip, _timeliness_mismatch), $seq AS import_seq, $file_name AS source_file,
       _line AS source_line
FROM checked WHERE len(_errors) = 0 AND _skip IS NULL;
