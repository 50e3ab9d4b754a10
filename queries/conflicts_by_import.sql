-- conflicts_by_import: rows of this batch not applied because they would move a completed dossier back to open
-- (after merge_staged), per import sequence number.
SELECT import_seq, count(*) AS n FROM conflicts WHERE import_seq >= $first_seq GROUP BY import_seq;
