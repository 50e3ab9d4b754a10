-- closure_reopen: reopen the active closure of a period (kept, with who, when and why).
UPDATE closures SET reopened_at = CAST($reopened_at AS TIMESTAMP), reopened_by = $reopened_by, reopen_reason = $reason
WHERE period = $period AND reopened_at IS NULL;
