-- set_meta: stamp the database being published with its data version and the schema it was built with.
DELETE FROM meta;
INSERT INTO meta VALUES ('data_version', $data_version), ('published_at', $published_at), ('schema', $schema);
