"""Builders shared by the messaging tests."""
from intranet.core.types import Role
from intranet.extensions import db
from intranet.messaging import services
from intranet.spaces import services as spaces

from .. import factories

PDF = b"%PDF-1.4\n% piece jointe\n"


def people():
    """Alice (admin) and Bruno (member) of Agen; Chloé of Nérac, who is not in their talks.
    All of them, the platform admin too, are in a closed working group (« Réseau »), so that
    each may write to the others by name (``access.can_address_person``)."""
    agen = factories.make_org("Agen")
    nerac = factories.make_org("Nérac")
    world = {
        "agen": agen, "nerac": nerac,
        "alice": factories.make_user(agen, Role.ADMIN, first_name="Alice", last_name="Martin"),
        "bruno": factories.make_user(agen, Role.MEMBER, first_name="Bruno", last_name="Petit"),
        "chloe": factories.make_user(nerac, Role.ADMIN, first_name="Chloé", last_name="Roux"),
        "platform_admin": factories.make_user(platform_admin=True),
    }
    network = factories.make_group(world["alice"], name="Réseau")
    for name in ("bruno", "chloe", "platform_admin"):
        spaces.add_member(network, world[name], by=world["alice"])
    db.session.commit()
    world["network"] = network
    return world


def conversation(sender, *recipients, subject="Réunion budget", body="Le texte confidentiel",
                 files=(), group=""):
    return services.start_conversation(sender, to=", ".join(r.email for r in recipients),
                                       group=group, subject=subject, body=body, files=files)


def participant(conv, user):
    return next(p for p in conv.participants if p.user_id == user.id)
