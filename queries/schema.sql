-- schema: the tables of a published database (created empty in a first import).
CREATE TABLE IF NOT EXISTS units (
    unit_code VARCHAR PRIMARY KEY, unit_name VARCHAR NOT NULL, unit_kind VARCHAR,
    parent_code VARCHAR, level VARCHAR NOT NULL, import_seq INTEGER,
    -- validity (optional): a unit retired by a merger gets valid_to through unit_changes (units_validity.sql)
    valid_from DATE, valid_to DATE
);
-- mergers, splits, renames and transfers of units: old_code -> new_code from effective_date
CREATE TABLE IF NOT EXISTS unit_changes (
    old_code VARCHAR NOT NULL, new_code VARCHAR NOT NULL, effective_date DATE NOT NULL, kind VARCHAR NOT NULL,
    import_seq INTEGER
);
-- ward / commune boundaries the city supplies (input kind `boundaries`, a GeoJSON): one geometry per unit
CREATE TABLE IF NOT EXISTS boundaries (
    unit_code VARCHAR NOT NULL, unit_name VARCHAR, geometry VARCHAR NOT NULL, import_seq INTEGER
);
CREATE TABLE IF NOT EXISTS dossiers (
    dossier_id VARCHAR NOT NULL, unit_code VARCHAR NOT NULL, procedure_code VARCHAR NOT NULL,
    procedure_name VARCHAR, field VARCHAR NOT NULL, service_level VARCHAR, channel VARCHAR NOT NULL,
    received_at TIMESTAMP NOT NULL, due_at TIMESTAMP NOT NULL, completed_at TIMESTAMP, returned_at TIMESTAMP,
    status VARCHAR NOT NULL, has_fee BOOLEAN, paid_online BOOLEAN, e_result BOOLEAN, digitized BOOLEAN,
    postal_return BOOLEAN, handler VARCHAR, late_reason VARCHAR, applicant_name VARCHAR, updated_at TIMESTAMP,
    import_seq INTEGER, source_file VARCHAR, source_line INTEGER,
    -- the one-stop software's finer status (profiles/_base.toml) and the raw value as the file wrote it
    status_detail VARCHAR, status_raw VARCHAR,
    -- the row's version for newest-wins: updated_at, else the file's export date, else the import moment
    version_at TIMESTAMP, version_source VARCHAR,
    -- optional facts the national index (Decision 766) needs: the latest supplement request and how many there
    -- were, reuse of already-digitised data, synchronised to the national portal, a paper result required
    supplement_requested_at TIMESTAMP, supplement_count INTEGER, reused_data BOOLEAN, synced_national BOOLEAN,
    paper_result_required BOOLEAN
);
CREATE TABLE IF NOT EXISTS targets (
    year INTEGER NOT NULL, kpi VARCHAR NOT NULL, comparator VARCHAR NOT NULL, value DOUBLE NOT NULL,
    scope VARCHAR NOT NULL, source VARCHAR, import_seq INTEGER
);
CREATE TABLE IF NOT EXISTS surveys (
    response_id VARCHAR NOT NULL, unit_code VARCHAR NOT NULL, answered_at TIMESTAMP NOT NULL,
    dossier_id VARCHAR, rating VARCHAR NOT NULL, import_seq INTEGER
);
CREATE TABLE IF NOT EXISTS par_index (
    year INTEGER NOT NULL, peer_code VARCHAR NOT NULL, peer_name VARCHAR NOT NULL, score DOUBLE NOT NULL,
    rank INTEGER NOT NULL, import_seq INTEGER
);
CREATE TABLE IF NOT EXISTS plan_tasks (
    year INTEGER NOT NULL, area INTEGER NOT NULL, task_id VARCHAR NOT NULL, title VARCHAR NOT NULL,
    owner_unit VARCHAR, due_date DATE NOT NULL, done_date DATE, import_seq INTEGER
);
CREATE TABLE IF NOT EXISTS procedures (
    procedure_code VARCHAR NOT NULL, procedure_name VARCHAR, field VARCHAR, statutory_days INTEGER NOT NULL,
    import_seq INTEGER
);
CREATE TABLE IF NOT EXISTS holidays (date DATE NOT NULL, name VARCHAR NOT NULL, import_seq INTEGER);
-- events drawn on the time charts (a merger, a software outage, a campaign): a day or a range, the whole city
-- (unit_code NULL) or one unit
CREATE TABLE IF NOT EXISTS events (
    start_date DATE NOT NULL, end_date DATE, label VARCHAR NOT NULL, kind VARCHAR NOT NULL, unit_code VARCHAR,
    import_seq INTEGER
);
CREATE TABLE IF NOT EXISTS imports (
    import_seq INTEGER NOT NULL, file_name VARCHAR NOT NULL, file_path VARCHAR, sha256 VARCHAR, kind VARCHAR,
    encoding VARCHAR, rows_read BIGINT, accepted BIGINT, rejected BIGINT, imported_at TIMESTAMP, imported_by VARCHAR,
    skipped BIGINT, profile VARCHAR, version_rule VARCHAR, warnings BIGINT
);
-- rows of a file that are not records (blank, total, group, signature rows): skipped, with their line
CREATE TABLE IF NOT EXISTS skipped (
    import_seq INTEGER NOT NULL, file_name VARCHAR NOT NULL, line BIGINT NOT NULL, kind VARCHAR, reason VARCHAR NOT NULL
);
-- rows not applied because they would move a completed dossier back to open with an older or unknown version
CREATE TABLE IF NOT EXISTS conflicts (
    import_seq INTEGER NOT NULL, file_name VARCHAR NOT NULL, line BIGINT, dossier_id VARCHAR NOT NULL,
    incoming_status VARCHAR, incoming_version TIMESTAMP, incoming_version_source VARCHAR,
    kept_status VARCHAR, kept_completed_at TIMESTAMP, kept_version TIMESTAMP, kept_file VARCHAR, reason VARCHAR
);
CREATE TABLE IF NOT EXISTS rejects (
    import_seq INTEGER NOT NULL, file_name VARCHAR NOT NULL, line BIGINT NOT NULL, kind VARCHAR,
    record_key VARCHAR, column_name VARCHAR, header VARCHAR, reason VARCHAR NOT NULL, raw JSON,
    resolved_by INTEGER
);
-- the national portal's published Decision 766 results: indicator = 'total', a group '1'…'6' or a sub-indicator '2.1'
CREATE TABLE IF NOT EXISTS portal_results (
    period VARCHAR NOT NULL, unit_code VARCHAR NOT NULL, indicator VARCHAR NOT NULL, score DOUBLE NOT NULL,
    max_points DOUBLE NOT NULL, rank INTEGER, import_seq INTEGER
);
-- petitions (phản ánh, kiến nghị — PAKN) for the 766 indicators 5.2 and 5.3
CREATE TABLE IF NOT EXISTS petitions (
    petition_id VARCHAR NOT NULL, unit_code VARCHAR NOT NULL, received_at TIMESTAMP NOT NULL, category VARCHAR,
    handled_at TIMESTAMP, refused BOOLEAN, rating VARCHAR, import_seq INTEGER
);
-- closed periods (chốt số liệu): who closed which period when, from which data version; reopened with a reason.
-- closure_seq numbers every closing; the active closure of a period is its latest one not reopened.
CREATE TABLE IF NOT EXISTS closures (
    closure_seq INTEGER NOT NULL, period VARCHAR NOT NULL, period_label VARCHAR, date_from DATE, date_to DATE,
    closed_at TIMESTAMP NOT NULL, closed_by VARCHAR NOT NULL, data_version VARCHAR NOT NULL,
    reopened_at TIMESTAMP, reopened_by VARCHAR, reopen_reason VARCHAR
);
-- the form's counts per unit × field frozen at closing (the keys of metrics.form.COUNT_KEYS)
CREATE TABLE IF NOT EXISTS closed_counts (
    closure_seq INTEGER NOT NULL, unit_code VARCHAR NOT NULL, field VARCHAR,
    received_total BIGINT, carried_over BIGINT, received_new BIGINT, received_online BIGINT, received_in_person BIGINT, received_postal BIGINT, resolved_total BIGINT, resolved_early BIGINT, resolved_on_time BIGINT, resolved_late BIGINT, pending_total BIGINT, pending_in_time BIGINT, pending_overdue BIGINT, pending_awaiting_supplement BIGINT, returned BIGINT, withdrawn BIGINT, fee_dossiers BIGINT, paid_online BIGINT, digitized BIGINT, e_result BIGINT, postal_return BIGINT
);
CREATE TABLE IF NOT EXISTS settings (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
