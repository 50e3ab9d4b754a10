-- resolve_values: the distinct names the file uses for units, procedures and fields that are not codes the
-- catalogues know, with how many rows use each (resolved once per value, in Python, never per row).
SELECT 'unit' AS what, v AS raw, count(*) AS n FROM (
    SELECT coalesce(_text(r.unit_code), _text(r.unit_name), $title_unit) AS v
    FROM raw_numbered r WHERE _text(r.unit_code) IS NULL OR _text(r.unit_code) NOT IN (SELECT unit_code FROM known_units))
WHERE v IS NOT NULL GROUP BY 1, 2
UNION ALL
SELECT 'procedure', v, count(*) FROM (
    SELECT coalesce(_text(r.procedure_name), g.group_procedure) AS v
    FROM raw_numbered r LEFT JOIN _groups g USING (_line) WHERE _text(r.procedure_code) IS NULL)
WHERE v IS NOT NULL GROUP BY 1, 2
UNION ALL
SELECT 'field', group_field, count(*) FROM _groups WHERE group_field IS NOT NULL GROUP BY 1, 2;
