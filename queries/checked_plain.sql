-- checked_plain: the reference kinds (units, targets…) have no group or footer rows: a record whose cells are
-- all blank is skipped (counted), every other row is accepted or rejected by check_<kind>.
ALTER TABLE checked ADD COLUMN _skip VARCHAR;
ALTER TABLE checked ADD COLUMN _timeliness_mismatch BOOLEAN DEFAULT false;
UPDATE checked SET _skip = 'dòng trống'
WHERE _line IN (SELECT _line FROM (SELECT _line, list_value(*COLUMNS(* EXCLUDE (_rec, _line))) AS cells FROM raw_numbered)
                WHERE len(list_filter(cells, lambda x: NOT _blank(x))) = 0);
