-- scope_units: the units a reader scoped to $units may see: those units and every unit under them.
WITH RECURSIVE tree(unit_code) AS (
    SELECT unit_code FROM units WHERE list_contains($units, unit_code)
    UNION
    SELECT u.unit_code FROM units u JOIN tree t ON u.parent_code = t.unit_code
)
SELECT unit_code FROM tree;
