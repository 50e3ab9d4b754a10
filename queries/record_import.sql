-- record_import: the per-file line of the import log.
INSERT INTO imports VALUES ($seq, $file_name, $file_path, $sha256, $kind, $encoding, $rows_read, $accepted,
                            $rejected, $imported_at, $imported_by);
