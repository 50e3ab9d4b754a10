-- classify_rows: rows of a dossier table that are not dossiers, found among the rows without a dossier code:
-- blank rows, total rows ("Tổng cộng"), signature blocks and the dated line under the table, a row numbering
-- the columns, and merged group rows (a field, or a procedure with its dossier count) that apply to the rows
-- under them. Candidates are the rows without a dossier code or without a received date (a row with both is a
-- record); only a row without a dossier code can be a group row. Words come from the profile, folded: $total_words, $signature_words, $field_prefixes,
-- $procedure_prefixes. Candidate rows after the first signature/footer row are footer too.
CREATE OR REPLACE TEMP TABLE _class AS
WITH c0 AS (
    SELECT _line, _blank(dossier_id) AS no_id, list_value(*COLUMNS(* EXCLUDE (_rec, _line))) AS cells
    FROM raw_numbered WHERE _blank(dossier_id) OR _blank(received_at) OR NOT regexp_matches(received_at, '\d.*\d.*\d.*\d')
), c AS (
    SELECT _line, no_id, list_filter(cells, lambda x: NOT _blank(x)) AS cells FROM c0
), t AS (
    SELECT _line, no_id, cells, list_filter(cells, lambda x: NOT regexp_matches(trim(x), '^\(?\d+([.,]\d+)*\)?$')) AS texts
    FROM c
), k AS (
    SELECT _line, no_id, texts, len(cells) - len(texts) AS nums, len(cells) = 0 AS is_blank,
        list_transform(texts, lambda x: _fold(x)) AS folded,
        regexp_replace(_fold(coalesce(texts[1], '')), '^([ivxlcdm]+|\d+|[a-z])_', '') AS head,
        len(cells) >= 3 AND len(texts) = 0 AS numbers_only
    FROM t
), m AS (
    SELECT *,
        list_bool_or(list_transform(folded, lambda f: list_bool_or(list_transform($signature_words, lambda w: contains(f, w))))) AS is_signature,
        $dated_footer AND list_bool_or(list_transform(folded, lambda f: regexp_matches(f, '(^|_)ngay(_\d+)?_thang(_\d+)?_nam'))) AS is_dated,
        list_bool_or(list_transform($total_words, lambda w: head = w OR starts_with(head, w || '_'))) AS is_total,
        $column_numbers AND numbers_only AS is_numbers,
        CASE WHEN no_id AND len(texts) = 1 THEN CASE
            WHEN list_bool_or(list_transform($procedure_prefixes, lambda w: starts_with(head, w))) THEN 'procedure'
            WHEN list_bool_or(list_transform($field_prefixes, lambda w: starts_with(head, w))) THEN 'field'
            WHEN nums > 0 THEN 'procedure' ELSE 'field' END END AS kind1
    FROM k
), f AS (
    SELECT *, coalesce(bool_or(is_signature OR is_dated) OVER (ORDER BY _line ROWS UNBOUNDED PRECEDING), false) AS after_footer
    FROM m
)
SELECT _line,
    CASE WHEN is_blank THEN 'dòng trống'
         WHEN is_signature THEN 'phần ký tên dưới bảng'
         WHEN is_dated THEN 'dòng ngày tháng dưới bảng'
         WHEN after_footer THEN 'phần cuối dưới bảng'
         WHEN is_total THEN 'dòng tổng cộng'
         WHEN is_numbers THEN 'dòng đánh số cột'
         WHEN kind1 IS NOT NULL
         THEN 'dòng nhóm (' || CASE kind1 WHEN 'field' THEN 'lĩnh vực' ELSE 'thủ tục' END || '): «' || left(trim(texts[1]), 120) || '»'
    END AS reason,
    CASE WHEN NOT (is_blank OR coalesce(is_signature, false) OR coalesce(is_dated, false) OR after_footer
                   OR coalesce(is_total, false) OR coalesce(is_numbers, false)) THEN kind1 END AS group_kind,
    CASE WHEN kind1 IS NOT NULL THEN trim(texts[1]) END AS group_label
FROM f;
