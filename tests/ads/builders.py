"""Small worlds and photos for the classified ads' tests."""
import io
import struct
import zlib

from PIL import Image

from intranet.ads import services
from intranet.ads.services import AdData
from intranet.core.types import Role

from .. import factories


def ad_data(title="Tentes de réception 5 × 8 m", **fields):
    values = {"kind": "lend", "category": "events", "description": "Trois tentes, montage compris."}
    values.update(fields)
    return AdData(title=title, **values)


def town_hall():
    """A commune with an editor (who publishes in its name) and a member (personal ads), a
    member of another commune, and the ad the editor published for the commune."""
    org = factories.make_org("Commune de Layrac")
    other = factories.make_org("Commune d'Astaffort")
    editor = factories.make_user(org, Role.EDITOR, last_name="Éditrice")
    member = factories.make_user(org, Role.MEMBER, last_name="Agent")
    neighbour = factories.make_user(other, Role.MEMBER, last_name="Voisin")
    ad = services.create_ad(org, ad_data(commune_id=org.id), personal=False, by=editor)
    return {"org": org, "other": other, "editor": editor, "member": member,
            "neighbour": neighbour, "ad": ad}


def jpeg(width=64, height=48, *, gps=False) -> bytes:
    """A small JPEG; with ``gps``, EXIF naming where it was taken and rotated by its camera."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x0112] = 6                                    # orientation: turn 90°
        exif[0x010F] = "Appareil-de-test"                   # the camera's make
        exif.get_ifd(0x8825).update({1: "N", 2: (44.0, 8.0, 0.0), 3: "E", 4: (0.0, 37.0, 0.0)})
        image.save(out, "JPEG", exif=exif.tobytes())
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def png_bomb(width=100_000, height=100_000) -> bytes:
    """A valid PNG header declaring ``width`` × ``height`` pixels, in a few dozen bytes."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b""))
