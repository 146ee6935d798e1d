"""Shared helpers: time, sanitising, uploads, pagination, audit, French dates."""
