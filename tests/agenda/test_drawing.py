"""The agenda's month grid and lists drawn in Python say what the Jinja templates said (the
reference below is their markup as it was), with every value escaped."""
import re
from datetime import date, datetime
from types import SimpleNamespace

from jinja2 import DictLoader, Environment

from intranet.agenda import drawing
from intranet.agenda.views import Day

ITEM = """<li class="cal-item cal-{{ item.source.colour }}{% if item.kind != 'event' %} cal-{{ item.kind }}{% endif %}">
  {%- if not item.all_day %}<time datetime="{{ item.starts.strftime('%Y-%m-%dT%H:%M') }}">{{ item.starts.strftime('%H:%M') }}</time> {% endif -%}
  <a href="{{ item.url }}">{{ item.title }}</a>
  {%- if show_place and item.location %} <span class="muted">— {{ item.location }}</span>{% endif %}
  <span class="cal-source">{{ item.source.label }}</span>
</li>"""
MONTH = """<div class="table-scroll cal-month-wrap"><table class="cal-month">
  <caption class="visually-hidden">{{ title }} : un jour par case, du lundi au dimanche</caption>
  <thead><tr>{% for name in ('Lundi', 'Mardi', 'Mercredi', 'Jeudi', 'Vendredi', 'Samedi', 'Dimanche') %}<th scope="col"><abbr title="{{ name }}">{{ name[:3] }}</abbr></th>{% endfor %}</tr></thead>
  <tbody>
  {% for week in days|batch(7) %}
  <tr>{% for day in week %}
    <td class="{{ day.classes }}">
      <a class="cal-day" href="{{ day.url }}"{% if day.today %} aria-current="date"{% endif %}><span class="visually-hidden">{{ day.name }}</span><span aria-hidden="true">{{ day.day.day }}</span></a>
      {% if day.items %}<ul class="cal-items">{% for item in day.items %}{% with show_place=False %}{% include "item" %}{% endwith %}{% endfor %}</ul>{% endif %}
    </td>{% endfor %}
  </tr>
  {% endfor %}
  </tbody>
</table></div>"""
LIST = """{% if items %}<ul class="cal-items">{% for item in items %}{% with show_place=True %}{% include "item" %}{% endwith %}{% endfor %}</ul>{% endif %}"""

JINJA = Environment(autoescape=True, loader=DictLoader({"item": ITEM, "month": MONTH,
                                                        "list": LIST}))


def _same(html) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", str(html))).strip()


def _item(n: int, **changes):
    source = SimpleNamespace(colour=["bleu", "vert"][n % 2], label=f"Agenda « {n} » & co")
    values = dict(source=source, kind=["event", "sitting", "deadline"][n % 3],
                  all_day=n % 4 == 0, starts=datetime(2026, 12, 1 + n % 28, 9 + n % 8, 30),
                  url=f"/agenda/evenements/{n}?a=1&b=<{n}>",
                  title=f'Réunion <script>alert("{n}")</script> n° {n}',
                  location="" if n % 5 == 0 else f"Salle \"{n}\" d'Agen")
    values.update(changes)
    return SimpleNamespace(**values)


def test_a_list_of_items_is_drawn_as_the_template_drew_it():
    items = [_item(n) for n in range(12)]
    ours = drawing.agenda_items(items)
    assert _same(ours) == _same(JINJA.get_template("list").render(items=items))
    assert "<script>" not in ours and "&lt;script&gt;" in ours
    assert drawing.agenda_items([]) == ""


def test_the_month_grid_is_drawn_as_the_template_drew_it():
    days = []
    for n in range(35):
        day = date(2026, 11, 30) if n == 0 else date(2026, 12, min(n, 31))
        items = [_item(n * 3 + k) for k in range(n % 3)]
        days.append(Day(day, f"jour « {n} »", f"/agenda/?vue=jour&date={day}&cal=a&cal=<b>",
                        items, n == 5, "cal-other" if n < 1 else ("" if items else " cal-empty")))
    title = "Décembre 2026 <b>"
    ours = drawing.agenda_month(days, title)
    assert _same(ours) == _same(JINJA.get_template("month").render(days=days, title=title))
    assert ours.count("<tr>") == 6 and ours.count('aria-current="date"') == 1
