"""/.well-known/security.txt (RFC 9116): the fields a researcher's tools read, from settings."""
from datetime import datetime, timedelta, timezone


def _fields(response) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for line in response.get_data(as_text=True).splitlines():
        name, _, value = line.partition(": ")
        fields.setdefault(name, []).append(value)
    return fields


def test_the_security_contact_is_published_with_an_expiry_within_a_year(client):
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    fields = _fields(response)
    assert fields["Contact"] == ["mailto:securite@territoires47.fr"]
    assert fields["Preferred-Languages"] == ["fr, en"]
    assert fields["Canonical"][0].endswith("/.well-known/security.txt")
    expires = datetime.strptime(fields["Expires"][0], "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=timezone.utc)
    now = datetime.now(timezone.utc)
    assert now < expires < now + timedelta(days=365)
    assert "Policy" not in fields


def test_the_settings_name_the_contacts_the_policy_and_the_expiry(app, client):
    app.config.update(SECURITY_CONTACTS=["mailto:rssi@cd47.fr", "https://cd47.fr/securite"],
                      SECURITY_TXT_EXPIRES="2027-06-30", SECURITY_POLICY_URL="https://cd47.fr/p")
    fields = _fields(client.get("/.well-known/security.txt"))
    assert fields["Contact"] == ["mailto:rssi@cd47.fr", "https://cd47.fr/securite"]
    assert fields["Expires"] == ["2027-06-30T00:00:00Z"]
    assert fields["Policy"] == ["https://cd47.fr/p"]
