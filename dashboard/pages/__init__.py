"""One module per page; importing this package registers them all (order = navigation order)."""
from . import overview, units, late, report, targets, analysis, data, audit_log, present, subscriptions  # noqa: F401
