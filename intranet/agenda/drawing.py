"""An agenda page's month grid and lists of items, drawn in Python (the templates' globals
``agenda_month`` and ``agenda_items``): a month is 35 to 42 cells and their items, and drawn by
Jinja they were half of an agenda page's CPU time. Every value is escaped here, as a template
would; ``tests/agenda/test_drawing.py`` checks the HTML."""
from __future__ import annotations

from markupsafe import Markup, escape

WEEKDAYS = ("Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche")
_HEAD = "".join(f'<th scope="col"><abbr title="{name}">{name[:3]}</abbr></th>'
                for name in WEEKDAYS)


def agenda_item(item, show_place: bool) -> str:
    """One item: its time (unless all day), its title linked, its place when asked, its
    calendar's colour and name."""
    kind = "" if item.kind == "event" else f" cal-{escape(item.kind)}"
    when = "" if item.all_day else (
        f'<time datetime="{item.starts.strftime("%Y-%m-%dT%H:%M")}">'
        f'{item.starts.strftime("%H:%M")}</time> ')
    place = f' <span class="muted">— {escape(item.location)}</span>' \
        if show_place and item.location else ""
    return (f'<li class="cal-item cal-{escape(item.source.colour)}{kind}">{when}'
            f'<a href="{escape(item.url)}">{escape(item.title)}</a>{place}\n'
            f'  <span class="cal-source">{escape(item.source.label)}</span>\n</li>')


def agenda_items(items, show_place: bool = True) -> Markup:
    """A day's items as a list (nothing when there is none)."""
    if not items:
        return Markup("")
    return Markup('<ul class="cal-items">'
                  + "".join(agenda_item(item, show_place) for item in items) + "</ul>")


def agenda_month(days, title: str) -> Markup:
    """The month grid: a week per row, from Monday to Sunday, each day a link to its own view
    with its items (``views.Day``)."""
    rows = []
    for start in range(0, len(days), 7):
        cells = []
        for day in days[start:start + 7]:
            current = ' aria-current="date"' if day.today else ""
            cells.append(
                f'\n    <td class="{escape(day.classes)}">\n'
                f'      <a class="cal-day" href="{escape(day.url)}"{current}>'
                f'<span class="visually-hidden">{escape(day.name)}</span>'
                f'<span aria-hidden="true">{day.day.day}</span></a>\n'
                f"      {agenda_items(day.items, show_place=False)}\n    </td>")
        rows.append(f"  <tr>{''.join(cells)}\n  </tr>")
    return Markup(
        '<div class="table-scroll cal-month-wrap"><table class="cal-month">\n'
        f'  <caption class="visually-hidden">{escape(title)} : un jour par case, du lundi '
        f"au dimanche</caption>\n  <thead><tr>{_HEAD}</tr></thead>\n  <tbody>\n"
        + "\n".join(rows) + "\n  </tbody>\n</table></div>")
