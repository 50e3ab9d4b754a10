-- known_unit_codes: the unit codes a file of this batch may name (published, or loaded earlier in the batch).
SELECT unit_code FROM known_units;
