"""Browser tests: their fixtures are in ``tests/browser_fixtures.py``."""
