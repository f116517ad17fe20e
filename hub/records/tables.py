"""Imports every module that declares hub tables, so `create_tables` sees them all."""

from hub.alerts import records as alert_records  # noqa: F401
from hub.audit import table as audit_table  # noqa: F401
from hub.civic import authors as civic_authors  # noqa: F401
from hub.civic import records as civic_records  # noqa: F401
from hub.linking import records as linking_records  # noqa: F401
from hub.services import records as services_records  # noqa: F401
