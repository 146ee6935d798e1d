import re
from datetime import timedelta

from sqlalchemy import func, select

from intranet.core.types import Role
from intranet.core.timeutil import utcnow
from intranet.extensions import db
from intranet.mail.models import OutboxMessage
from intranet.notifications import services
from intranet.notifications.models import Delivery, Notification

from .. import factories
from ..helpers import text

services.register_kind("test.digest", "Nouvelles de test", Delivery.DIGEST)


def _mails(to=None):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if to:
        query = query.where(OutboxMessage.recipient == to)
    return db.session.scalars(query).all()


def test_the_header_shows_the_unread_count_and_the_centre_lists_them(client, login):
    user = factories.make_user(factories.make_org())
    services.notify([user], "space.join_request", "Léa demande à rejoindre « Voirie »",
                    url="/espaces/voirie/membres")
    db.session.commit()
    login(user)
    header = " ".join(re.sub(r"<[^>]+>", " ", text(client.get("/"))).split())
    assert "Notifications 1 non lue" in header
    centre = text(client.get("/notifications/"))
    assert "Léa demande à rejoindre « Voirie »" in centre
    note = db.session.scalar(select(Notification))
    response = client.post(f"/notifications/{note.id}/lue", data={"next": note.url})
    assert response.headers["Location"] == "/espaces/voirie/membres"
    assert services.unread_count(user) == 0
    header = " ".join(re.sub(r"<[^>]+>", " ", text(client.get("/"))).split())
    assert "Notifications" in header and "non lue" not in header


def test_immediate_mail_and_never_mail(client, login):
    keen = factories.make_user(email="keen@exemple.fr")
    quiet = factories.make_user(email="quiet@exemple.fr")
    services.set_preferences(quiet, {"space.join_request": Delivery.NEVER}, mail_content=True)
    services.notify([keen, quiet], "space.join_request", "Demande", body="Détail")
    db.session.commit()
    assert len(_mails("keen@exemple.fr")) == 1 and _mails("quiet@exemple.fr") == []
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 2


def test_private_content_stays_out_of_mail_for_people_who_prefer(client, login):
    user = factories.make_user(email="discret@exemple.fr")
    services.set_preferences(user, {}, mail_content=False)
    services.notify([user], "space.join_request", "Nouveau message de Paul",
                    body="Le code de l'alarme est 1234", reply_to="reply+x@territoires47.fr")
    db.session.commit()
    mail = _mails("discret@exemple.fr")[0]
    assert "1234" not in mail.body_text and "Nouveau message de Paul" in mail.body_text
    assert mail.reply_to is None  # replying by mail would need the content


def test_the_actor_and_deactivated_people_are_not_notified():
    actor = factories.make_user()
    gone = factories.make_user(active=False)
    services.notify([actor, gone], "space.join_request", "x", actor=actor)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_a_single_daily_digest_per_person():
    user = factories.make_user(email="resume@exemple.fr")
    for n in range(3):
        services.notify([user], "test.digest", f"Nouvelle {n}", body=f"contenu {n}")
    db.session.commit()
    assert _mails() == []                      # digest kinds are not mailed at once
    assert services.send_digests() == 1
    digest = _mails("resume@exemple.fr")
    assert len(digest) == 1 and all(f"Nouvelle {n}" in digest[0].body_text for n in range(3))
    services.notify([user], "test.digest", "Nouvelle 4")
    db.session.commit()
    assert services.send_digests() == 0        # not twice the same day
    assert services.send_digests(now=utcnow() + timedelta(days=1)) == 1
    assert "Nouvelle 4" in _mails("resume@exemple.fr")[-1].body_text
    assert "Nouvelle 0" not in _mails("resume@exemple.fr")[-1].body_text


def test_read_notifications_are_left_out_of_the_digest():
    user = factories.make_user(email="lu@exemple.fr")
    services.notify([user], "test.digest", "Déjà vue")
    db.session.commit()
    services.mark_read(user)
    assert services.send_digests() == 0


def test_preferences_page_saves_choices(client, login):
    user = factories.make_user(factories.make_org(), Role.MEMBER)
    login(user)
    client.post("/notifications/preferences", data={"kind-space.join_request": "digest",
                                                    "mail_content": ""})
    assert services.delivery_for(user, "space.join_request") == Delivery.DIGEST
    assert services.settings_for(user).mail_content is False
    page = text(client.get("/notifications/preferences"))
    assert "Demandes d'adhésion à mes groupes" in page


def test_nobody_reads_someone_else_s_notifications(client, login):
    owner = factories.make_user()
    services.notify([owner], "space.join_request", "Secret de quelqu'un")
    db.session.commit()
    note = db.session.scalar(select(Notification))
    login(factories.make_user())
    assert "Secret de quelqu'un" not in text(client.get("/notifications/"))
    client.post(f"/notifications/{note.id}/lue")
    db.session.refresh(note)
    assert note.read_at is None
