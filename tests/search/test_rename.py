"""Renaming an organisation re-indexes what names it: its page in the directory, the content
filed under it, and its members' directory entries."""
from intranet.accounts import organisations
from intranet.core.types import Role
from intranet.documents import services as documents
from intranet.search import services as search
from intranet.search.backends import SearchRequest

from .. import factories


def _find(user, text):
    return search.query(user, SearchRequest(text=text))


def test_a_renamed_organisation_is_found_under_its_new_name_everywhere(search_backend):
    org = factories.make_org("Commune de Lusignan")
    admin = factories.make_user(org, Role.ADMIN, last_name="Fabre")
    reader = factories.make_user(factories.make_org("Commune de Sos"))
    page = documents.create_page(factories.org_space(org), title="Marché de Noël",
                                 body="Les exposants s'installent place de l'église.",
                                 body_format="text", by=admin)
    documents.publish_page(page, by=admin)
    search.drain()
    assert _find(admin, "exposants").hits[0].organisation_name == "Commune de Lusignan"

    organisations.update_organisation(org, by=admin, name="Commune de Lusignan-Grand")
    search.drain()
    assert _find(admin, "exposants").hits[0].organisation_name == "Commune de Lusignan-Grand"
    assert [h.title for h in _find(None, "grand").hits] == ["Commune de Lusignan-Grand"]
    assert [h.type for h in _find(reader, "fabre lusignan-grand").hits] == ["person"]
