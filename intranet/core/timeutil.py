"""Time helpers: the database stores naive UTC; the UI shows Europe/Paris."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def utcnow() -> datetime:
    """Naive UTC now, the form every timestamp column holds (same on SQLite and PostgreSQL)."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_paris(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(PARIS)
