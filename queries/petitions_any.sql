-- petitions_any: how many petitions (PAKN) the data holds at all (none: 5.2 and 5.3 are not computed).
SELECT count(*) AS n FROM petitions;
