"""Use cases: feeds, the daily job, notices and reports, on top of the domain and data."""
