"""The ads' decisions and their SQL twins agree, person by person and ad by ad."""
from datetime import timedelta

from flask_login import AnonymousUserMixin
from sqlalchemy import select

from intranet import access
from intranet.ads import services
from intranet.ads.models import Ad
from intranet.core.timeutil import utcnow
from intranet.core.types import Role
from intranet.extensions import db

from .. import factories
from .builders import ad_data, town_hall


def test_python_and_sql_agree():
    world = town_hall()
    org, member, editor = world["org"], world["member"], world["editor"]
    network = services.create_ad(org, ad_data("Réseau", visibility="network"), personal=False,
                                 by=editor)
    personal = services.create_ad(org, ad_data("Perso"), personal=True, by=member)
    expired = services.create_ad(org, ad_data("Échue"), personal=True, by=member)
    expired.expires_at = utcnow() - timedelta(days=1)
    done = services.create_ad(org, ad_data("Conclue"), personal=False, by=editor)
    services.mark_done(done, by=editor)
    db.session.commit()
    admin = factories.make_user(org, Role.ADMIN)
    people = [AnonymousUserMixin(), member, editor, admin, world["neighbour"]]
    ads = db.session.scalars(select(Ad)).all()
    for person in people:
        listed = set(db.session.scalars(select(Ad.id).where(access.visible_ads(person))))
        managed = set(db.session.scalars(select(Ad.id).where(access.managed_ads(person))))
        for ad in ads:
            assert (ad.id in listed) == (ad.is_live and access.can_view_ad(person, ad)), \
                (person, ad)
            assert (ad.id in managed) == access.can_manage_ad(person, ad), (person, ad)
    assert access.can_view_ad(member, expired) and not access.can_view_ad(editor, expired)
    assert not access.can_view_ad(AnonymousUserMixin(), network)
    assert access.can_manage_ad(admin, done) and not access.can_manage_ad(admin, personal)
