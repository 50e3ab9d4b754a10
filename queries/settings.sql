-- settings: app settings stored with the data.
SELECT key, value FROM settings;
