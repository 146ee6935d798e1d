"""Photos are re-encoded: an ad only keeps JPEG copies at two sizes, without metadata; what is
not an image, or declares a huge size, is refused in French; a refused form keeps its photos."""
import io

from PIL import Image
from sqlalchemy import func, select

from intranet.ads.models import Ad, AdPhoto
from intranet.core import images, uploads
from intranet.core.models import PendingUpload, StoredFile
from intranet.extensions import db

from ..helpers import text
from .builders import jpeg, png_bomb, town_hall


def _form(world, **fields):
    data = {"publisher": f"org:{world['org'].id}", "kind": "sell", "category": "vehicles",
            "title": "Fourgon Renault Master", "visibility": "public", "price": "4500"}
    data.update(fields)
    return data


def test_photos_are_resized_upright_and_lose_their_location(client, login):
    world = town_hall()
    login(world["editor"])
    response = client.post("/annonces/nouvelle", data=_form(
        world, photos=[(io.BytesIO(jpeg(2000, 1000, gps=True)), "IMG_0001.JPG")]),
        content_type="multipart/form-data")
    assert response.status_code == 302
    photo = db.session.scalar(select(AdPhoto))
    display = Image.open(io.BytesIO(uploads.read(photo.file)))
    thumbnail = Image.open(io.BytesIO(uploads.read(photo.thumbnail)))
    assert display.size == (640, 1280)          # turned as the camera held it, then resized
    assert max(thumbnail.size) == 320
    for stored in (photo.file, photo.thumbnail):
        data = uploads.read(stored)
        assert b"Exif" not in data and b"Appareil-de-test" not in data
        assert not Image.open(io.BytesIO(data)).getexif()
    ad = photo.ad
    served = client.get(f"/annonces/{ad.id}/photos/{photo.id}/vignette")
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/jpeg"
    client.post(f"/annonces/{ad.id}/photos/{photo.id}/supprimer")
    assert db.session.scalar(select(func.count(StoredFile.id))) == 0


def test_what_is_not_an_image_is_refused_and_the_form_keeps_the_good_photo(client, login):
    world = town_hall()
    login(world["editor"])
    response = client.post("/annonces/nouvelle", data=_form(
        world, photos=[(io.BytesIO(jpeg()), "camion.jpg"),
                       (io.BytesIO(b"\xff\xd8\xff not a jpeg at all"), "faux.jpg")]),
        content_type="multipart/form-data")
    page = text(response)
    assert response.status_code == 200
    assert "« faux.jpg » n'est pas une image lisible" in page
    assert "déjà joint : camion.jpg" in page and "déjà joint : faux.jpg" not in page
    assert db.session.scalar(select(func.count(Ad.id))) == 1       # only the world's
    kept = db.session.scalar(select(PendingUpload))
    response = client.post("/annonces/nouvelle", data=_form(world, fichier_en_attente=str(kept.id)))
    assert response.status_code == 302
    ad = db.session.scalar(select(Ad).where(Ad.title == "Fourgon Renault Master"))
    assert len(ad.photos) == 1
    # only the re-encoded copies remain: the raw file kept for the form went
    assert db.session.scalar(select(func.count(StoredFile.id))) == 2
    assert db.session.scalar(select(func.count(PendingUpload.id))) == 0


def test_a_decompression_bomb_is_refused():
    for bomb in (png_bomb(), png_bomb(9000, 9000)):
        try:
            images.reencode(bomb, (320,), name="bombe.png")
        except images.ImageError as exc:
            assert "bien trop grande" in str(exc)
        else:
            raise AssertionError("a bomb was accepted")


def test_a_bomb_sent_in_the_form_gets_a_french_page(client, login):
    world = town_hall()
    login(world["editor"])
    response = client.post("/annonces/nouvelle", data=_form(
        world, photos=[(io.BytesIO(png_bomb()), "plan.png")]), content_type="multipart/form-data")
    assert response.status_code == 200 and "bien trop grande" in text(response)
