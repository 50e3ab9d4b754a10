"""Every component id used by more than one module, in one place."""

NAV = "nav"
URL = "url"  # dcc.Location(refresh="callback-nav") used by filters to navigate
FILTER = "flt"  # pattern-matching type of every URL filter: {"type": FILTER, "key": <query parameter>}


def flt(key) -> dict:
    """The id of the filter that writes the query parameter `key` (ALL for the shell's callback)."""
    return {"type": FILTER, "key": key}


NAV_LINK = "nav-page"  # pattern-matching type of the navigation's links: {"type": NAV_LINK, "path": <page path>}


def nav_link(path) -> dict:
    return {"type": NAV_LINK, "path": path}


DRAWN = "drawn-page"  # the path of the page drawn with the shell (its filters' defaults go into the address)
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
LATE_QUERY = "late-query"  # the late page's filters, read by its grid and download callbacks
FORM_QUERY = "form-query"
CLOSING_OPEN = "closing-open"  # the form page's "Chốt số liệu" / "Mở lại" button (Home Affairs only)
CLOSING_MODAL = "closing-modal"
CLOSING_CONFIRM = "closing-confirm"
CLOSING_CANCEL = "closing-cancel"
CLOSING_REASON = "closing-reason"
CLOSING_ERROR = "closing-error"
CLOSING_TARGET = "closing-target"  # {period, version, action}: what the confirmation named
PAGES_CONTENT = "_pages_content"  # Dash Pages' own content container
UPLOAD_JOB = "upload-job"
APP_ROOT = "app-root"
PRESENT_LINK = "present-link"
PAGES_LOCATION = "_pages_location"  # Dash Pages' own location component

# Route paths of the pages: pages register with them, every link is built from them.
OVERVIEW_PATH = "/"
UNITS_PATH = "/don-vi"
LATE_PATH = "/ho-so-tre-han"
REPORT_PATH = "/bao-cao-quy"
TARGETS_PATH = "/chi-tieu"
ANALYSIS_PATH = "/phan-tich"
PRESENT_PATH = "/trinh-chieu"
DATA_PATH = "/du-lieu"
AUDIT_PATH = "/nhat-ky"
SUBSCRIPTIONS_PATH = "/ban-tin"  # digest subscriptions and alert rules (Home Affairs)
PDF_PATH = "/tai-pdf"  # the "Tải PDF" button (export_pdf.install_route)
PAGE_PATHS = (  # every page, in the navigation's order (tests walk them all)
    OVERVIEW_PATH, UNITS_PATH, LATE_PATH, REPORT_PATH, TARGETS_PATH, ANALYSIS_PATH, PRESENT_PATH, DATA_PATH, AUDIT_PATH,
)
