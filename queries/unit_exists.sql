-- unit_exists: one row if the unit is configured.
SELECT 1 FROM units WHERE unit_code = $unit;
