-- units: the configured units (city offices and wards) with their level.
SELECT unit_code, unit_name, unit_kind, parent_code, level FROM units ORDER BY level, unit_code;
