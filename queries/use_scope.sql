-- use_scope: unqualified table names resolve to one reader's scoped views first (memory.<schema>, built by
-- db.Snapshot._scope_schema), then to the snapshot (its macros).
SET search_path = $search_path;
