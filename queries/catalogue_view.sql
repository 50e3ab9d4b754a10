-- catalogue_view: the procedures catalogue of this import (staged rows win), by code.
CREATE OR REPLACE TEMP VIEW _catalogue AS
SELECT procedure_code, procedure_name, field FROM (
    SELECT procedure_code, procedure_name, field, 1 AS o FROM staged_procedures
    UNION ALL SELECT procedure_code, procedure_name, field, 2 FROM procedures)
QUALIFY row_number() OVER (PARTITION BY procedure_code ORDER BY o) = 1;
