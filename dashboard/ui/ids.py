"""Every component id used by more than one module, in one place."""
NAV = "nav"
URL = "url"  # dcc.Location(refresh="callback-nav") used by filters to navigate
FILTER = "flt"  # pattern-matching type of every URL filter: {"type": FILTER, "key": <query parameter>}


def flt(key) -> dict:
    """The id of the filter that writes the query parameter `key` (ALL for the shell's callback)."""
    return {"type": FILTER, "key": key}
LATE_GRID = "late-grid"
LATE_DOWNLOAD_BTN = "late-download-btn"
LATE_DOWNLOAD = "late-download"
FORM_XLSX_BTN = "form-xlsx-btn"
FORM_CSV_BTN = "form-csv-btn"
FORM_DOWNLOAD = "form-download"
UPLOAD = "data-upload"
UPLOAD_STATUS = "data-upload-status"
UPLOAD_POLL = "data-upload-poll"
REJECTS_GRID = "rejects-grid"
FIELD_CHART = "late-field-chart"
HANDLER_CHART = "late-handler-chart"
