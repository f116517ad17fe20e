"""The hub's own records (SQLAlchemy): what the hub itself owns, as opposed to the departments'."""
