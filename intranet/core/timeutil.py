"""Time helpers: the database stores naive UTC; the UI shows Europe/Paris."""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def utcnow() -> datetime:
    """Naive UTC now, the form every timestamp column holds (same on SQLite and PostgreSQL)."""
    return datetime.now(UTC).replace(tzinfo=None)


def today_paris():
    """Today's date in Europe/Paris (what a closing date or a deadline is compared with)."""
    return to_paris(utcnow()).date()


def to_paris(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(PARIS)


def machine_readable(value: date | datetime | None) -> str:
    """A value for HTML's ``datetime`` attribute: « 2026-12-05 » for a date, and for a
    timestamp (naive UTC, or aware) « 2026-12-05T00:29:50Z », in UTC, to the second (HTML
    allows at most three digits of fraction; Python's isoformat writes six)."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return value.isoformat()
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat() + "Z"
