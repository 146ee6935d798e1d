"""A table's rows drawn in Python: a cell per column with its phone label, text escaped, links
kept, nothing for an empty value; addresses built once and quoted for each row."""
from types import SimpleNamespace

from markupsafe import Markup

from intranet.core import tables


def test_rows_escape_text_keep_links_and_leave_empty_cells_empty(app):
    items = [SimpleNamespace(slug="agen", name="Agen <script>alert(1)</script>", code=None),
             SimpleNamespace(slug="l'isle & co", name="L'Isle « Jourdain »", code="47001")]
    with app.test_request_context():
        home = tables.address_of("accounts.organisation", "slug")
        html = tables.table_rows(items, [("Nom", lambda i: tables.link(home(i.slug), i.name)),
                                         ("Code <INSEE>", lambda i: i.code)])
    assert isinstance(html, Markup) and html.count("<tr>") == 2
    assert ('<tr><td data-label="Nom"><a href="/organisations/agen">Agen &lt;script&gt;'
            "alert(1)&lt;/script&gt;</a></td><td data-label=\"Code &lt;INSEE&gt;\"></td></tr>"
            ) in html
    assert '<a href="/organisations/l%27isle%20%26%20co">L&#39;Isle « Jourdain »</a>' in html
    assert '<td data-label="Code &lt;INSEE&gt;">47001</td>' in html
    assert tables.table_rows([], [("Nom", str)]) == ""
