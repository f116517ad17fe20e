"""Imports every module that declares hub tables, so `create_tables` sees them all."""
