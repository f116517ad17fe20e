"""The access log: every request's reads, appended in one batch, hash-chained, verifiable."""
