"""The demo's classified ads (``flask seed-demo``), written through the services: an
intercommunality selling a used van (with photos drawn here, in memory), a commune lending its
event tents, the Département giving office furniture, and two personal ads."""
from __future__ import annotations

import io
from decimal import Decimal

from PIL import Image, ImageDraw

from . import services
from .services import AdData


def _photo(colour: tuple[int, int, int], label: str) -> bytes:
    """A plain picture with a caption, as a camera's JPEG would arrive."""
    image = Image.new("RGB", (1600, 1200), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((300, 450, 1300, 900), fill=(235, 235, 235))
    draw.text((340, 480), label, fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


ADS = [
    # (publisher's email, organisation key, personal, commune key, data, photos)
    ("dgs@agglo-agen.fr", "200096956", False, "47001",
     AdData(kind="sell", category="vehicles", title="Fourgon Renault Master benne, 2012",
            description="142 000 km, contrôle technique à jour, benne basculante en bon état. "
                        "Visible aux services techniques de l'agglomération, sur rendez-vous.",
            price=Decimal("8500"), visibility="public"),
     [((180, 180, 190), "Fourgon benne - vue avant"), ((160, 170, 185), "Fourgon benne - benne")]),
    ("mairie@agen.fr", "47001", False, "47001",
     AdData(kind="lend", category="events", title="Prêt de tentes de réception 5 × 8 m",
            description="Trois tentes disponibles pour les fêtes de village, les week-ends de "
                        "mai à septembre. Montage par vos agents ; convention de prêt à signer.",
            visibility="network"), []),
    ("redacteur@cd47.fr", "departement", False, "47001",
     AdData(kind="give", category="furniture", title="Bureaux et armoires de bureau à donner",
            description="Douze bureaux et six armoires hautes, suite au réaménagement de l'hôtel "
                        "du Département. À enlever avant la fin du mois.",
            visibility="public"), []),
    ("agent@agen.fr", "47001", True, "47001",
     AdData(kind="sell", category="it", title="Écran 24 pouces, très bon état",
            description="Écran de bureau, câble HDMI fourni.", price=Decimal("60"),
            visibility="network"), []),
    ("secretaire@agme-agnac.fr", "47002", True, "47002",
     AdData(kind="seek", category="other", title="Recherche une plastifieuse A3",
            description="Pour les affiches de la mairie d'Agmé ; prêt ou achat d'occasion.",
            visibility="network"), []),
]


def seed(demo) -> None:
    """Inside the demo's transaction, through the services."""
    for email, org_key, personal, commune_key, data, photos in ADS:
        data.commune_id = demo.orgs[commune_key].id
        files = [(_photo(colour, label), f"photo-{n}.jpg")
                 for n, (colour, label) in enumerate(photos, start=1)]
        services.create_ad(demo.orgs[org_key], data, personal=personal, by=demo[email],
                           files=files)
