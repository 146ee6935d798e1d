"""The demo shows the forums' features with real-looking content: likes with names, a forum
watched for its new topics only, a muted topic, a draft waiting for its author, a split topic
and two merged ones, and the forum's address for new topics by mail."""
from sqlalchemy import select

from intranet.extensions import db
from intranet.forums.models import ForumTopic
from intranet.spaces import services as spaces

from ..demo_crawl import sign_in
from ..helpers import visible_text


def _topic(title):
    return db.session.scalar(select(ForumTopic).where(ForumTopic.title == title,
                                                      ForumTopic.deleted_at.is_(None)))


def test_the_demo_forums_show_likes_levels_drafts_split_merge_and_mail(runner, app):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    slug = spaces.ensure_open_space().slug
    budget = _topic("Budget primitif 2027 : quand le voter ?")
    client = app.test_client()
    sign_in(client, "mairie@agen.fr")
    page = visible_text(client.get(f"/espaces/{slug}/forums/sujets/{budget.id}"))
    assert "personnes aiment ce message" in page
    assert "le calendrier 2027 sera présenté au bureau municipal" in page     # her draft
    forum_page = visible_text(client.get(f"/espaces/{slug}/forums/{budget.forum_id}"))
    assert "Facturation de l'eau après le transfert" in forum_page           # split off
    assert "Assesseurs pour les bureaux de vote" not in forum_page           # merged
    assert "forum+" in forum_page and "@lists." in forum_page
    assert 'selected value="first"' in client.get(
        f"/espaces/{slug}/forums/{budget.forum_id}").get_data(as_text=True)
    merged = _topic("Élections : tenue des bureaux de vote")
    assert "Un appel dans le bulletin municipal" in visible_text(
        client.get(f"/espaces/{slug}/forums/sujets/{merged.id}"))
    water = _topic("Eau et assainissement : transfert de la compétence")
    other = app.test_client()
    sign_in(other, "agent@cd47.fr")
    assert "Silencieux" in visible_text(other.get(f"/espaces/{slug}/forums/sujets/{water.id}"))
