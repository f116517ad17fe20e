"""Imports every module that declares hub tables, so `create_tables` sees them all."""

from hub.linking import records as linking_records  # noqa: F401
