-- set_setting: app settings stored with the data (e.g. which PAR INDEX peer is this city).
INSERT OR REPLACE INTO settings VALUES ($key, $value);
