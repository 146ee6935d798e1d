"""The news of the spaces: each line says what happened, where, by whom and when, linked to
what it announces; whatever was typed in a summary or a name is shown as text."""
from datetime import timedelta

from intranet.core.timeutil import utcnow
from intranet.core.types import Role, Visibility
from intranet.extensions import db
from intranet.spaces import activity as news
from intranet.spaces import services as spaces

from .. import factories
from ..helpers import text


def test_a_line_links_what_it_announces_and_names_its_space_author_and_time(client, login):
    org = factories.make_org("Commune de Nérac")
    author = factories.make_user(org, Role.EDITOR, first_name="Léa", last_name="Martin")
    reader = factories.make_user(org, Role.MEMBER)
    space = factories.org_space(org)
    spaces.record_activity(space, "page", 'Budget 2027 <script>alert("x")</script>',
                           actor=author, url='/pages/1?a=1&b="2"')
    spaces.record_activity(space, "page", "Ordre du jour")            # no author, no link
    db.session.commit()
    login(reader)
    html = client.get("/").get_data(as_text=True)
    assert '<a href="/pages/1?a=1&amp;b=&#34;2&#34;">Budget 2027 &lt;script&gt;' in html
    assert "<script>alert" not in html
    shown = text(client.get("/"))
    assert "Commune de Nérac · Léa Martin" in shown and "à l'instant" in shown
    assert "<strong>Ordre du jour</strong>" in html


def test_the_lines_are_the_latest_first_and_say_when():
    org = factories.make_org("Commune de Layrac")
    space = factories.org_space(org)
    older = spaces.record_activity(space, "page", "Compte rendu")
    spaces.record_activity(space, "page", "Nouvel horaire")
    older.created_at = utcnow() - timedelta(days=1, hours=1)
    db.session.commit()
    member = factories.make_user(org, Role.MEMBER)
    assert news.space_activity(None, space) == []            # a private space
    lines = news.space_activity(member, space) + news.dashboard_activity(member)
    assert [line.summary for line in lines] == ["Nouvel horaire", "Compte rendu"] * 2
    html = news.activity_list(lines[:2])
    assert html.count("<li>") == 2 and "hier" in html and 'datetime="' in html


def test_a_narrowed_line_reaches_only_those_who_may_read_it():
    org, other = factories.make_org("Commune d'Astaffort"), factories.make_org("Commune de Boé")
    group = factories.make_group(factories.make_user(org, Role.EDITOR), name="Voirie",
                                 visibility=Visibility.PUBLIC)
    spaces.record_activity(group, "page", "Note interne", visibility=Visibility.MEMBERS)
    spaces.record_activity(group, "page", "Réunion publique")
    db.session.commit()
    outsider = factories.make_user(other, Role.MEMBER)
    for reader in (outsider, None):
        assert "Note interne" not in [line.summary for line in news.space_activity(reader, group)]
        assert "Réunion publique" in [line.summary for line in news.space_activity(reader, group)]
