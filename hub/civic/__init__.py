"""The residents' voice (情): opinions → hotspots → agenda → council → plan → response."""
