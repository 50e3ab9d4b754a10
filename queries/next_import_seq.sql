-- next_import_seq: imports are numbered; the number orders ties between equally new rows.
SELECT coalesce(max(import_seq), 0) + 1 FROM imports;
