-- meta: data version and publication time of the snapshot.
SELECT key, value FROM meta;
