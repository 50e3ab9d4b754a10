-- known_units_view: the unit codes a batch's rows may name, the published ones and the batch's own (after staging).
CREATE OR REPLACE TEMP VIEW known_units AS SELECT unit_code FROM units UNION SELECT unit_code FROM staged_units;
