import io

from intranet.core.types import Role

from .. import factories
from ..helpers import text

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
       b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
       b"\x00\x00IEND\xaeB`\x82")


def test_profile_is_saved(client, login):
    user = factories.make_user(factories.make_org("Agen"))
    login(user)
    client.post("/profil", data={"first_name": "Martine", "last_name": "Lafon",
                                 "function": "Secrétaire de mairie", "phone": "05 53 00 00 00"})
    page = text(client.get(f"/personnes/{user.id}"))
    assert "Martine Lafon" in page and "Secrétaire de mairie" in page and "05 53 00 00 00" in page


def test_profile_without_a_last_name_is_refused(client, login):
    user = factories.make_user(last_name="Lafon")
    login(user)
    response = client.post("/profil", data={"first_name": "M", "last_name": ""})
    assert "Ce champ est obligatoire." in text(response)
    assert "Lafon" in text(client.get(f"/personnes/{user.id}"))


def test_photo_upload_is_served_safely_to_signed_in_people_only(client, login):
    user = factories.make_user()
    login(user)
    response = client.post("/profil/photo", data={"photo": (io.BytesIO(PNG), "moi.png")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "Photo enregistrée." in text(response)
    photo = client.get(f"/personnes/{user.id}/photo")
    assert photo.status_code == 200
    assert photo.headers["Content-Type"] == "image/png"
    assert photo.headers["X-Content-Type-Options"] == "nosniff"
    client.post("/deconnexion")
    assert client.get(f"/personnes/{user.id}/photo").status_code == 302


def test_a_file_that_is_not_an_image_is_refused(client, login):
    user = factories.make_user()
    login(user)
    response = client.post("/profil/photo",
                           data={"photo": (io.BytesIO(b"<script>alert(1)</script>"), "moi.png")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "La photo doit être une image PNG, JPEG ou WebP." in text(response)
    assert client.get(f"/personnes/{user.id}/photo").status_code == 404


def test_a_photo_over_the_limit_is_refused(app, client, login):
    login(factories.make_user())
    big = PNG + b"\0" * app.config["PHOTO_MAX_BYTES"]
    response = client.post("/profil/photo", data={"photo": (io.BytesIO(big), "grande.png")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "La photo dépasse 2 Mo" in text(response)


def test_directory_profile_needs_sign_in_and_hides_nobody_active(client, login):
    org = factories.make_org("Agen")
    person = factories.make_user(org, Role.MEMBER, last_name="Visible")
    assert client.get(f"/personnes/{person.id}").status_code == 302
    login(factories.make_user(factories.make_org("Autre")))
    assert "Visible" in text(client.get(f"/personnes/{person.id}"))
    assert client.get("/personnes/999999").status_code == 404
