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
