-- group_context_none: a file without group rows: no row inherits a field or procedure.
CREATE OR REPLACE TEMP TABLE _groups (_line BIGINT, group_field VARCHAR, group_procedure VARCHAR);
