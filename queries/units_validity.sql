-- units_validity: every unit with its validity and its successor today (cchc units list).
-- A unit merged, renamed or split away (unit_changes) is valid until the day before the change's effective
-- date, unless units.csv states valid_to itself. Its successor is the one unit it merged or was renamed into,
-- followed through later changes to a unit of today (a split has several successors: none is named).
WITH RECURSIVE retire AS (
    SELECT old_code, min(effective_date) AS effective_date,
        CASE WHEN count(*) FILTER (WHERE kind = 'split') = 0
                  AND count(DISTINCT new_code) FILTER (WHERE kind IN ('merge', 'rename')) = 1
             THEN min(new_code) FILTER (WHERE kind IN ('merge', 'rename')) END AS next_code
    FROM unit_changes WHERE kind IN ('merge', 'rename', 'split') GROUP BY old_code
),
chain AS (
    SELECT old_code AS unit_code, next_code AS successor, [old_code, next_code] AS path
    FROM retire WHERE next_code IS NOT NULL
    UNION ALL
    SELECT c.unit_code, r.next_code AS successor, list_append(c.path, r.next_code) AS path
    FROM chain c JOIN retire r ON r.old_code = c.successor
    WHERE r.next_code IS NOT NULL AND NOT list_contains(c.path, r.next_code) AND len(c.path) < 64
),
final AS (SELECT unit_code, arg_max(successor, len(path)) AS successor FROM chain GROUP BY unit_code)
SELECT u.unit_code, u.unit_name, u.unit_kind, u.level, u.parent_code, u.valid_from,
    coalesce(u.valid_to, CAST(r.effective_date - INTERVAL 1 DAY AS DATE)) AS valid_to, f.successor
FROM units u LEFT JOIN retire r ON r.old_code = u.unit_code LEFT JOIN final f ON f.unit_code = u.unit_code
ORDER BY u.level, u.unit_code;
