"""Every page of the aids directory has one h1 and a label for each field."""
from html.parser import HTMLParser

from intranet.accounts.models import OrgKind
from intranet.core.types import Role

from ... import factories
from . import make_aid


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.h1, self.labels, self.fields = 0, set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "h1":
            self.h1 += 1
        elif tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        elif tag in ("input", "select", "textarea") and attrs.get("type") not in (
                "hidden", "submit"):
            self.fields.append(attrs.get("id"))


def check_page(response) -> None:
    assert response.status_code == 200
    page = _Page()
    page.feed(response.get_data(as_text=True))
    assert page.h1 == 1
    unlabelled = [f for f in page.fields if f is None or f not in page.labels]
    assert not unlabelled, f"fields without a label: {unlabelled}"


def test_pages_have_one_title_and_labelled_fields(client, login):
    org = factories.make_org("Département", kind=OrgKind.DEPARTEMENT)
    editor = factories.make_user(org, Role.EDITOR)
    aid = make_aid(org, editor, "Aide aux écoles")
    login(editor)
    for url in ("/aides/", "/aides/nouvelle", f"/aides/{aid.id}", f"/aides/{aid.id}/modifier",
                "/aides/?beneficiaire=communes&q=ecole"):
        check_page(client.get(url))
