"""Device and security event streams: departments whose events arrive as they happen."""
