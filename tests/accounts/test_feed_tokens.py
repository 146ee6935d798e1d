"""A person's private feed addresses (the network's releases, aids, acts in a feed reader) live
and die with their account."""
from datetime import date

from intranet.accounts import services as accounts
from intranet.core.types import Role, Visibility
from intranet.publications.press import services as press

from .. import factories


def test_a_private_feed_stops_with_its_owner_s_account(client):
    org = factories.make_org("Département", siren="224700013")
    editor = factories.make_user(org, Role.EDITOR)
    reader = factories.make_user(factories.make_org("Commune de Sos"))
    release = press.create_release(org, title="Réservé au réseau", release_date=date(2026, 6, 1),
                                   body="Texte", visibility=Visibility.NETWORK, by=editor)
    press.publish(release, by=editor)
    token = accounts.feed_token(reader)
    for url in (f"/communiques/flux/{token}.atom", f"/aides/flux/{token}.atom",
                f"/deliberations/flux/{token}.atom"):
        assert client.get(url).status_code == 200, url
    assert "Réservé au réseau" in client.get(f"/communiques/flux/{token}.atom").get_data(True)

    accounts.set_active(reader, False, by=factories.make_user(platform_admin=True))
    for url in (f"/communiques/flux/{token}.atom", f"/aides/flux/{token}.atom",
                f"/deliberations/flux/{token}.atom"):
        assert client.get(url).status_code == 404, url
