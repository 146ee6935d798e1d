"""Edits kept with their history, soft deletion, pinned and moved topics, reports."""
from sqlalchemy import select

from intranet.core.types import Role, Visibility
from intranet.extensions import db
from intranet.forums import reading, services
from intranet.forums.models import Forum, ForumPost, ForumReport, ForumTopic
from intranet.notifications.models import Notification

from .. import factories
from ..helpers import text
from .helpers import org_with_forum, topic_with_posts


def test_an_edit_keeps_the_former_text_for_the_moderators(client, login):
    org, space, forum, member = org_with_forum()
    admin = factories.make_user(org, Role.ADMIN)
    topic = services.create_topic(forum, title="Horaires", body="Ouvert le lundi",
                                  body_format="text", by=member)
    reply = services.reply(topic, body="Merci", body_format="text", by=admin)
    login(member)
    post_url = f"/espaces/{space.slug}/forums/messages/{topic.first_post_id}"
    client.post(f"{post_url}/modifier", data={"title": "Horaires d'été",
                                              "body": "Ouvert le mardi", "body_format": "text"})
    page = text(client.get(f"/espaces/{space.slug}/forums/sujets/{topic.id}"))
    assert "Horaires d'été" in page and "Ouvert le mardi" in page and "modifié le" in page
    assert "Ouvert le lundi" not in page
    assert client.get(f"{post_url}/historique").status_code == 403   # the author: no history
    # someone else's post is not theirs to edit
    assert client.get(f"/espaces/{space.slug}/forums/messages/{reply.id}/modifier"
                      ).status_code == 403
    client.post("/deconnexion")
    login(admin)
    history = text(client.get(f"{post_url}/historique"))
    assert "Ouvert le lundi" in history and "Ouvert le mardi" in history
    assert "Horaires" in history


def test_a_deleted_post_keeps_its_place_and_moderators_restore_it(client, login):
    org, space, forum, member = org_with_forum()
    admin = factories.make_user(org, Role.ADMIN)
    topic = topic_with_posts(forum, member, 3)
    second = db.session.scalar(select(ForumPost).where(ForumPost.position == 2))
    login(member)
    client.post(f"/espaces/{space.slug}/forums/messages/{second.id}/supprimer")
    topic = db.session.get(ForumTopic, topic.id)
    assert topic.post_count == 2 and topic.last_position == 3
    assert db.session.get(Forum, forum.id).post_count == 2
    page = text(client.get(f"/espaces/{space.slug}/forums/sujets/{topic.id}"))
    assert "Message supprimé." in page and "Message 2" not in page
    assert "Message 3" in page
    # the first post carries the topic
    response = client.post(f"/espaces/{space.slug}/forums/messages/{topic.first_post_id}/supprimer",
                           follow_redirects=True)
    assert "supprimez le sujet entier" in text(response)
    client.post("/deconnexion")
    login(admin)
    assert "Message 2" in text(client.get(f"/espaces/{space.slug}/forums/sujets/{topic.id}"))
    client.post(f"/espaces/{space.slug}/forums/messages/{second.id}/restaurer")
    assert db.session.get(ForumTopic, topic.id).post_count == 3


def test_a_deleted_topic_disappears_for_members_but_not_for_moderators(client, login):
    org, space, forum, member = org_with_forum()
    admin = factories.make_user(org, Role.ADMIN)
    topic = topic_with_posts(forum, member, 2, title="Hors sujet")
    login(admin)
    client.post(f"/espaces/{space.slug}/forums/sujets/{topic.id}/supprimer")
    assert db.session.get(Forum, forum.id).topic_count == 0
    assert "Hors sujet" in text(client.get(f"/espaces/{space.slug}/forums/{forum.id}"))
    client.post("/deconnexion")
    login(member)
    assert client.get(f"/espaces/{space.slug}/forums/sujets/{topic.id}").status_code == 404
    assert "Hors sujet" not in text(client.get(f"/espaces/{space.slug}/forums/{forum.id}"))
    assert "Nouveau sujet : Hors sujet" not in text(client.get("/"))


def test_pinned_topics_come_first(client, login):
    org, space, forum, member = org_with_forum()
    admin = factories.make_user(org, Role.ADMIN)
    old = services.create_topic(forum, title="Règlement du forum", body="À lire",
                                body_format="text", by=admin)
    services.create_topic(forum, title="Question récente", body="?", body_format="text", by=member)
    login(admin)
    client.post(f"/espaces/{space.slug}/forums/sujets/{old.id}/epingler")
    page = text(client.get(f"/espaces/{space.slug}/forums/{forum.id}"))
    assert page.index("Règlement du forum") < page.index("Question récente")
    assert "Épinglé" in page


def test_a_moderator_moves_a_topic_to_a_forum_they_moderate(client, login):
    org, space, forum, member = org_with_forum()
    admin = factories.make_user(org, Role.ADMIN)
    other = services.create_forum(space, name="Ressources humaines", by=admin)
    group = factories.make_group(admin)   # admin of this group too
    elsewhere = services.create_forum(group, name="Groupe de travail", by=admin)
    foreign = factories.make_group(factories.make_user(factories.make_org(), Role.ADMIN))
    not_mine = services.create_forum(foreign, name="Pas à moi", by=admin)
    topic = topic_with_posts(forum, member, 4, title="Congés annuels")
    login(admin)
    page = text(client.get(f"/espaces/{space.slug}/forums/sujets/{topic.id}/deplacer"))
    assert "Ressources humaines" in page and "Groupe de travail" in page
    assert "Pas à moi" not in page
    response = client.post(f"/espaces/{space.slug}/forums/sujets/{topic.id}/deplacer",
                           data={"target": str(not_mine.id)})
    assert db.session.get(ForumTopic, topic.id).forum_id == forum.id
    client.post(f"/espaces/{space.slug}/forums/sujets/{topic.id}/deplacer",
                data={"target": str(other.id)})
    assert db.session.get(ForumTopic, topic.id).forum_id == other.id
    assert (db.session.get(Forum, forum.id).topic_count, db.session.get(Forum, other.id).post_count) \
        == (0, 4)
    response = client.post(f"/espaces/{space.slug}/forums/sujets/{topic.id}/deplacer",
                           data={"target": str(elsewhere.id)})
    assert response.headers["Location"].endswith(f"/espaces/{group.slug}/forums/sujets/{topic.id}")
    moved = db.session.get(ForumTopic, topic.id)
    assert (moved.space_id, moved.forum_id) == (group.id, elsewhere.id)
    assert client.get(f"/espaces/{group.slug}/forums/sujets/{topic.id}").status_code == 200
    assert client.get(f"/espaces/{space.slug}/forums/sujets/{topic.id}").status_code == 404
    # a member may not move anything
    client.post("/deconnexion")
    login(member)
    assert client.get(f"/espaces/{group.slug}/forums/sujets/{topic.id}/deplacer").status_code == 404
    assert client.post(f"/espaces/{space.slug}/forums/sujets/{topic.id}/deplacer",
                       data={"target": str(other.id)}).status_code == 403


def test_a_reported_post_reaches_the_moderators_queue(client, login):
    org, space, forum, member = org_with_forum()
    admin = factories.make_user(org, Role.ADMIN)
    topic = services.create_topic(forum, title="Débat", body="Bonjour", body_format="text",
                                  by=admin)
    rude = services.reply(topic, body="Propos injurieux", body_format="text", by=admin)
    login(member)
    client.post(f"/espaces/{space.slug}/forums/messages/{rude.id}/signaler",
                data={"reason": "Insulte envers un collègue"})
    again = client.post(f"/espaces/{space.slug}/forums/messages/{rude.id}/signaler",
                        data={"reason": "Encore"})
    assert "Vous avez déjà signalé ce message" in text(again)
    assert client.get(f"/espaces/{space.slug}/forums/moderation").status_code == 403
    client.post("/deconnexion")
    note = db.session.scalar(select(Notification).where(Notification.kind == "forum.report"))
    assert note.user_id == admin.id and note.url.endswith("/forums/moderation")
    login(admin)
    assert reading.queue_size(space) == 1                 # one open report, nothing held
    assert 'File de modération <span class="badge">1</span>' in text(
        client.get(f"/espaces/{space.slug}/forums"))
    queue = text(client.get(f"/espaces/{space.slug}/forums/moderation"))
    assert "Insulte envers un collègue" in queue and "Propos injurieux" in queue
    report = db.session.scalar(select(ForumReport))
    client.post(f"/espaces/{space.slug}/forums/signalements/{report.id}/supprimer")
    assert db.session.get(ForumPost, rude.id).deleted_at is not None
    assert db.session.get(ForumReport, report.id).outcome == "deleted"
    assert "Aucun signalement en attente." in text(
        client.get(f"/espaces/{space.slug}/forums/moderation"))


def test_moderators_acts_are_in_the_organisation_s_journal_without_their_content(client, login):
    org, space, forum, member = org_with_forum()
    admin = factories.make_user(org, Role.ADMIN)
    topic = topic_with_posts(forum, member, 3, title="Sujet confidentiel")
    second = db.session.scalar(select(ForumPost).where(ForumPost.position == 2))
    third = db.session.scalar(select(ForumPost).where(ForumPost.position == 3))
    login(member)   # an author withdrawing their own post is not a moderator's act
    client.post(f"/espaces/{space.slug}/forums/messages/{third.id}/supprimer")
    client.post("/deconnexion")
    services.report_post(second, "À vérifier", by=factories.make_user(org, Role.MEMBER))
    login(admin)
    base = f"/espaces/{space.slug}/forums"
    for action in ("epingler", "verrouiller", "epingler", "verrouiller"):
        client.post(f"{base}/sujets/{topic.id}/{action}")
    client.post(f"{base}/messages/{second.id}/supprimer")
    client.post(f"{base}/messages/{second.id}/restaurer")
    report = db.session.scalar(select(ForumReport))
    client.post(f"{base}/signalements/{report.id}/classer")
    client.post(f"{base}/nouveau", data={"name": "Autre forum", "category": "", "position": "0"})
    client.post(f"{base}/categories", data={"name": "Services"})
    journal = text(client.get(f"/admin/organisations/{org.slug}/journal"))
    for label in ("Forum : sujet épinglé", "Forum : sujet désépinglé", "Forum : sujet verrouillé",
                  "Forum : sujet rouvert aux réponses", "Forum : message supprimé par un modérateur",
                  "Forum : message restauré", "Forum : signalement classé", "Forum créé",
                  "Forum : catégorie ajoutée"):
        assert label in journal, label
    assert f"{base}/sujets/{topic.id}" in journal and f"{base}/messages/{second.id}" in journal
    assert f"{base}/messages/{third.id}" not in journal
    assert "Sujet confidentiel" not in journal and "À vérifier" not in journal


def test_acts_in_a_group_without_organisation_are_in_the_platform_journal(client, login):
    platform_admin = factories.make_user(platform_admin=True)
    owner = factories.make_user(factories.make_org(), Role.ADMIN)
    group = factories.make_group(owner, visibility=Visibility.NETWORK)
    forum = services.create_forum(group, name="Groupe", by=owner)
    topic = services.create_topic(forum, title="Ordre du jour", body="x", body_format="text",
                                  by=owner)
    other = services.create_forum(group, name="Archives", by=owner)
    services.move_topic(topic, other, by=owner)
    login(platform_admin)
    journal = text(client.get("/admin/journal"))
    assert "Forum : sujet déplacé" in journal and "Forum créé" in journal


def test_a_report_in_a_closed_space_without_moderator_is_not_told_to_the_platform_admin():
    """Before, the platform admins were told (with the reason and the title) when a space had
    no moderator — even in a members-only space they may not read."""
    platform_admin = factories.make_user(platform_admin=True)
    org = factories.make_org()
    member, colleague = factories.make_user(org), factories.make_user(org)
    space = factories.org_space(org)            # the organisation has no admin
    forum = services.create_forum(space, name="Forum", by=member)
    topic = services.create_topic(forum, title="Sujet", body="x", body_format="text", by=member)
    services.report_post(db.session.get(ForumPost, topic.first_post_id), "Motif", by=colleague)
    assert db.session.scalars(select(Notification).where(
        Notification.kind == "forum.report")).all() == []
    owner = factories.make_user(factories.make_org(), Role.ADMIN)
    public = factories.make_group(owner, visibility=Visibility.PUBLIC)
    owner.active = False                         # a public group left without moderator
    db.session.commit()
    public_forum = services.create_forum(public, name="Public", by=owner, open_to_network=True)
    public_topic = services.create_topic(public_forum, title="Ouvert", body="x", body_format="text",
                                         by=platform_admin)
    services.report_post(db.session.get(ForumPost, public_topic.first_post_id), "Motif",
                         by=colleague)
    note = db.session.scalar(select(Notification).where(Notification.kind == "forum.report"))
    assert note.user_id == platform_admin.id


def test_refused_actions_where_the_page_and_the_route_disagreed(client, login):
    """The page offered neither; the route allowed them: now refused (stricter wins)."""
    org, space, forum, member = org_with_forum()
    admin = factories.make_user(org, Role.ADMIN)
    topic = topic_with_posts(forum, member, 2)
    mine = db.session.scalar(select(ForumPost).where(ForumPost.position == 2))
    base = f"/espaces/{space.slug}/forums"
    login(member)
    assert client.get(f"{base}/messages/{mine.id}/signaler").status_code == 403   # their own
    client.post("/deconnexion")
    login(admin)
    client.post(f"{base}/sujets/{topic.id}/verrouiller")
    client.post(f"{base}/messages/{mine.id}/supprimer")
    assert client.get(f"{base}/messages/{mine.id}/modifier").status_code == 403   # deleted
    client.post("/deconnexion")
    login(member)
    # quoting in a locked topic (no « Citer » link there)
    assert client.get(f"{base}/sujets/{topic.id}/repondre?citer={topic.first_post_id}"
                      ).status_code == 404
