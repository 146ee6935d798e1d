"""French date formatting without a locale on the machine."""
from datetime import date, datetime

from .timeutil import to_paris, utcnow

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre")
DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def format_date(value: date | datetime | None, weekday: bool = False) -> str:
    """« 4 juin 2003 », or « mercredi 4 juin 2003 »; « 1er » for the first of the month."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_paris(value)
    day = "1er" if value.day == 1 else str(value.day)
    text = f"{day} {MONTHS[value.month - 1]} {value.year}"
    return f"{DAYS[value.weekday()]} {text}" if weekday else text


def format_datetime(value: datetime | None) -> str:
    """« 4 juin 2003 à 14 h 05 », in Paris time."""
    if value is None:
        return ""
    local = to_paris(value)
    return f"{format_date(local)} à {local.hour} h {local.minute:02d}"


def format_relative(value: datetime | None, now: datetime | None = None) -> str:
    """« il y a 5 minutes », « hier », then the plain date."""
    if value is None:
        return ""
    now = now or utcnow()
    seconds = int((now - value).total_seconds())
    if seconds < 60:
        return "à l'instant"
    if seconds < 3600:
        minutes = seconds // 60
        return f"il y a {minutes} minute{'s' if minutes > 1 else ''}"
    if seconds < 86400:
        hours = seconds // 3600
        return f"il y a {hours} heure{'s' if hours > 1 else ''}"
    if seconds < 2 * 86400:
        return "hier"
    return f"le {format_date(value)}"
