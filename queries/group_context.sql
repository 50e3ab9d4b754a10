-- group_context: for every row, the field and procedure named by the nearest group rows above it (a field
-- row starts a new block: the procedure is the last procedure row after it).
CREATE OR REPLACE TEMP TABLE _groups AS
WITH g AS (
    SELECT r._line, c.group_kind, c.group_label,
        count(c.group_kind) FILTER (WHERE c.group_kind = 'field') OVER (ORDER BY r._line ROWS UNBOUNDED PRECEDING) AS block
    FROM raw_numbered r LEFT JOIN _class c USING (_line)
)
SELECT _line,
    last_value(CASE WHEN group_kind = 'field' THEN group_label END IGNORE NULLS)
        OVER (ORDER BY _line ROWS UNBOUNDED PRECEDING) AS group_field,
    last_value(CASE WHEN group_kind = 'procedure' THEN group_label END IGNORE NULLS)
        OVER (PARTITION BY block ORDER BY _line ROWS UNBOUNDED PRECEDING) AS group_procedure
FROM g;
