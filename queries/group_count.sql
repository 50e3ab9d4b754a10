-- group_count: how many group rows the file just classified has.
SELECT count(*) FROM _class WHERE group_kind IS NOT NULL;
