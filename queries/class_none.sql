-- class_none: the reference kinds have no footer or group rows: an empty classification for short_rows.
CREATE OR REPLACE TEMP TABLE _class AS SELECT CAST(NULL AS BIGINT) AS _line, CAST(NULL AS VARCHAR) AS reason WHERE false;
