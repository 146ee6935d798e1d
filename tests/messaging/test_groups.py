"""Writing to « all the administrators of commune X » or « all the members of space Y »:
the group is resolved when the message is sent, among what the sender may see."""
import pytest
from sqlalchemy import func, select

from intranet.core.types import Role, Visibility
from intranet.extensions import db
from intranet.messaging import services
from intranet.messaging.models import Conversation
from intranet.spaces import services as spaces
from intranet.spaces.models import JoinPolicy, MemberStatus, SpaceMember

from .. import factories
from ..helpers import text
from .builders import participant, people


def _ids(conv):
    return {p.user_id for p in conv.participants}


def test_all_admins_of_a_commune_are_those_of_the_moment_of_sending(client, login):
    world = people()
    nerac, chloe, alice = world["nerac"], world["chloe"], world["alice"]
    second_admin = factories.make_user(nerac, Role.ADMIN)
    editor = factories.make_user(nerac, Role.EDITOR)
    login(alice)
    found = client.get("/messages/destinataires?q=nerac").get_json()["results"]
    assert {"kind": "organisation", "id": nerac.id, "label": "Nérac"}.items() <= found[0].items()
    response = client.post("/messages/nouveau", data={
        "organisation": str(nerac.id), "subject": "Convention", "body": "Pouvez-vous signer ?",
        "envoyer": "1"})
    assert response.status_code == 302
    conv = db.session.scalar(select(Conversation))
    assert _ids(conv) == {alice.id, chloe.id, second_admin.id}
    assert conv.audience == "Administrateurs de « Nérac »"
    assert "adressée aux administrateurs de « Nérac »" in text(client.get(f"/messages/{conv.id}"))
    # the editor becomes an admin afterwards: not added, not notified, no access
    membership = next(m for m in editor.memberships if m.organisation_id == nerac.id)
    membership.role = Role.ADMIN
    db.session.commit()
    services.reply(participant(conv, chloe), "C'est signé.")
    assert _ids(conv) == {alice.id, chloe.id, second_admin.id}
    assert services.unread_count(editor) == 0
    client.post("/deconnexion")
    login(editor)
    assert client.get(f"/messages/{conv.id}").status_code == 404


def test_all_members_of_a_group_space_include_its_rules_but_not_pending_requests():
    world = people()
    alice, bruno, chloe, agen, nerac = (world[k] for k in ("alice", "bruno", "chloe", "agen",
                                                             "nerac"))
    group = factories.make_group(chloe, name="Voirie", visibility=Visibility.NETWORK,
                                 join_policy=JoinPolicy.REQUEST)
    added = factories.make_user(nerac)
    spaces.add_member(group, added, by=chloe)
    spaces.add_rule(group, by=chloe, organisation=agen, min_role=Role.ADMIN)   # → Alice
    pending = factories.make_user(nerac)
    db.session.add(SpaceMember(space=group, user=pending, status=MemberStatus.PENDING))
    gone = factories.make_user(nerac, active=False)
    db.session.add(SpaceMember(space=group, user=gone))
    db.session.commit()
    conv = services.start_conversation(bruno, group=f"espace:{group.id}", subject="Chantier",
                                       body="Début des travaux lundi")
    assert _ids(conv) == {bruno.id, chloe.id, added.id, alice.id}
    assert conv.audience == "Membres de l'espace « Voirie »"


def test_the_members_of_an_organisation_space_are_its_members():
    world = people()
    colleague = factories.make_user(world["agen"], Role.EDITOR)
    space = factories.org_space(world["agen"])
    db.session.commit()
    conv = services.start_conversation(world["alice"], group=f"espace:{space.id}",
                                       subject="Pot de départ", body="Vendredi 17 h")
    assert _ids(conv) == {world["alice"].id, world["bruno"].id, colleague.id}


def test_one_may_only_address_a_space_one_sees(client, login):
    world = people()
    closed = factories.make_group(world["alice"], name="Cellule de crise",
                                  visibility=Visibility.MEMBERS)
    nerac_space = factories.org_space(world["nerac"])
    open_space = spaces.ensure_open_space()
    db.session.commit()
    login(world["bruno"])
    page = text(client.get("/messages/nouveau"))
    assert "Cellule de crise" not in page and f"espace:{nerac_space.id}" not in page
    assert f"espace:{open_space.id}" not in page
    for space in (closed, nerac_space, open_space):
        response = client.post("/messages/nouveau", data={
            "group": f"espace:{space.id}", "subject": "Objet", "body": "Texte", "envoyer": "1"})
        assert ("Cet espace n'existe pas, ou vous ne pouvez pas écrire à ses membres."
                in text(response))
    assert db.session.scalar(select(func.count()).select_from(Conversation)) == 0
    # a member of the closed group may write to it
    spaces.add_member(closed, world["bruno"], by=world["alice"])
    assert f'value="espace:{closed.id}"' in text(client.get("/messages/nouveau"))


@pytest.mark.parametrize("key", ["admins:x", "espace:", "autre:1", "admins:99999999999999"])
def test_a_made_up_group_is_refused(key):
    world = people()
    with pytest.raises(services.MessagingError):
        services.start_conversation(world["alice"], group=key, subject="O", body="T")


def test_people_and_a_group_together_make_one_list_without_duplicates():
    world = people()
    conv = services.start_conversation(world["bruno"], to=world["chloe"].email,
                                       group=f"admins:{world['nerac'].id}",
                                       subject="Objet", body="Texte")
    assert len(conv.participants) == 2
