-- resolve_catalogues: units and procedures known to this import (published and in the batch), to resolve
-- names into codes.
SELECT 'unit' AS what, unit_code AS code, unit_name AS name, NULL AS field FROM units
UNION ALL SELECT 'unit', unit_code, unit_name, NULL FROM staged_units
UNION ALL SELECT 'procedure', procedure_code, procedure_name, field FROM procedures
UNION ALL SELECT 'procedure', procedure_code, procedure_name, field FROM staged_procedures;
