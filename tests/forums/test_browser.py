"""axe-core on the forum pages people read and write in, signed in as a member."""
import pytest

from intranet.core.types import Role
from intranet.forums import services

from .. import factories
from ..browser_fixtures import BLOCKING, describe
from .helpers import org_with_forum, topic_with_posts

pytestmark = pytest.mark.browser


@pytest.fixture
def forum_world(data_app):
    org, space, forum, member = org_with_forum("Commune de Nérac")
    admin = factories.make_user(org, Role.ADMIN)
    topic = topic_with_posts(forum, admin, 25, title="Organisation du marché de Noël",
                             others=[member])
    services.create_topic(forum, title="Horaires d'hiver", body="**Nouveaux horaires**",
                          body_format="text", by=factories.make_user(org, Role.MEMBER))
    return {"member": member, "space": space, "forum": forum, "topic": topic}


@pytest.mark.parametrize("path", [
    "/espaces/{space}/forums", "/espaces/{space}/forums/{forum}",
    "/espaces/{space}/forums/sujets/{topic}", "/espaces/{space}/forums/sujets/{topic}?page=2",
    "/espaces/{space}/forums/{forum}/nouveau-sujet", "/forums/nouveautes"],
    ids=["forums", "forum", "sujet", "sujet-page-2", "nouveau-sujet", "nouveautes"])
def test_forum_pages_have_no_serious_accessibility_violation(page, live_server, sign_in, axe,
                                                             forum_world, path):
    sign_in(forum_world["member"])
    url = live_server + path.format(space=forum_world["space"].slug,
                                    forum=forum_world["forum"].id, topic=forum_world["topic"].id)
    assert page.goto(url).status == 200
    blocking = [v for v in axe.run(page).response["violations"] if v["impact"] in BLOCKING]
    assert not blocking, f"axe sur {path} :\n{describe(blocking)}"
    assert page.locator("h1").count() == 1


def test_the_editor_saves_a_draft_while_typing_and_gives_it_back(page, live_server, sign_in,
                                                                 forum_world):
    """In a real browser: typed in the rich text editor, saved a few seconds later without
    pressing anything, found again after leaving the page."""
    sign_in(forum_world["member"])
    url = (f"{live_server}/espaces/{forum_world['space'].slug}/forums/sujets/"
           f"{forum_world['topic'].id}/repondre")
    assert page.goto(url).status == 200
    page.locator("#body-editeur").click()
    page.keyboard.type("Je propose de tenir le stand des associations")
    page.get_by_text("Brouillon enregistré à").wait_for(timeout=15000)
    page.goto(f"{live_server}/forums/nouveautes")
    page.goto(url)
    assert "Je propose de tenir le stand des associations" in page.locator(
        "#body-editeur").inner_text()
