from intranet.core.types import Role

from . import factories


def test_dashboard_after_login(client, login):
    org = factories.make_org("Agen")
    user = factories.make_user(org, Role.ADMIN)
    login(user)
    page = client.get("/")
    assert page.status_code == 200
    assert "Quoi de neuf" in page.get_data(as_text=True)
