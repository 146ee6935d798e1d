"""Ads are found while they are online; expired, done and hidden ones leave the index."""
from datetime import timedelta

from flask_login import AnonymousUserMixin

from intranet.ads import services
from intranet.core.timeutil import utcnow
from intranet.extensions import db
from intranet.search import services as search
from intranet.search.backends import SearchRequest

from ..ads.builders import ad_data, town_hall


def _titles(user, text):
    return {hit.title for hit in search.query(user, SearchRequest(text=text)).hits}


def test_an_expired_ad_leaves_the_index(search_backend):
    world = town_hall()
    network = services.create_ad(world["org"], ad_data("Barnum réseau", visibility="network"),
                                 personal=False, by=world["editor"])
    search.drain()
    anonymous = AnonymousUserMixin()
    assert _titles(anonymous, "tentes") == {world["ad"].title}
    assert _titles(anonymous, "barnum") == set()
    assert _titles(world["neighbour"], "barnum") == {"Barnum réseau"}
    world["ad"].expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert services.note_expired() == 1
    services.mark_done(network, by=world["editor"])
    search.drain()
    assert _titles(anonymous, "tentes") == set()
    assert _titles(world["neighbour"], "barnum") == set()
    services.renew(world["ad"])
    search.drain()
    assert _titles(anonymous, "tentes") == {world["ad"].title}
