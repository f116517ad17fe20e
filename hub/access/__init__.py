"""Data boundaries: who is asking (tokens), what they may see (policies → access view)."""
