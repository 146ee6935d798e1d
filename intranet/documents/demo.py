"""The demo's approvals and library life (``flask seed-demo``), written through the services
after the demo's pages and files: in Agen and at the Département, members propose pages that
wait for their editors (one was sent back with a comment), and in Agen, where members' files
need approval, a planning waits too; Agen's opening hours were changed
then brought back to their first version; the Département's road regulation is locked by the
person revising it; Agen's canteen menus are shared with the caterer (with a password) and an
old link was revoked; an outdated regulation waits in Agen's bin."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ..core.timeutil import today_paris
from ..extensions import db
from . import services
from .models import Document, Folder

# (organisation key, author, title, text)
PROPOSALS = [
    ("47001", "agent@agen.fr", "Marché de Noël : programme des animations",
     "Le **marché de Noël** se tient place Armand-Fallières du 12 au 24 décembre.\n\n"
     "- samedi 13 : chorale des écoles à 16 h ;\n- dimanche 21 : passage du Père Noël ;\n"
     "- tous les soirs : illuminations à 18 h."),
    ("departement", "agent@cd47.fr", "Compte rendu : réunion voirie du 2 décembre",
     "Présents : les services des routes et douze communes.\n\n"
     "Les demandes de **renforcement de chaussée** sont à déposer avant le 31 janvier ; "
     "l'arbitrage aura lieu le 20 janvier pour les urgences."),
]


def _document(name: str) -> Document:
    return db.session.scalar(select(Document).where(Document.name == name))


def seed(demo) -> None:
    for key, email, title, body in PROPOSALS:
        space = demo.space_of(key)
        space.pages_need_approval = True
        page = services.create_page(space, title=title, body=body, body_format="text",
                                    by=demo[email])
        services.publish_page(page, by=demo[email])   # waits for the space's editors
    sent_back = services.create_page(
        demo.space_of("47001"), title="Fermeture exceptionnelle de la mairie",
        body="La mairie sera fermée le vendredi 26 décembre.", body_format="text",
        by=demo["agent@agen.fr"])
    services.publish_page(sent_back, by=demo["agent@agen.fr"])
    services.send_back(sent_back, by=demo["mairie@agen.fr"],
                       comment="Ajoutez le numéro de la permanence d'état civil pour les "
                               "urgences (décès).")

    agen = demo.space_of("47001")
    agen.files_need_approval = True
    services.upload(agen, None, ("Planning des permanences d'état civil - janvier\n"
                                 "Samedi 3 : Lucas Bernard. Samedi 10 : Camille Dupuy.\n"
                                 "Samedi 17 : Lucas Bernard. Samedi 24 : Camille Dupuy.\n".encode(),
                                 "Planning des permanences - janvier.txt"),
                    by=demo["agent@agen.fr"])   # waits for Agen's editors

    hours = _document("Horaires d'ouverture de la mairie.txt")
    services.add_version(hours, ("Du lundi au vendredi : 8 h 30 - 12 h et 14 h - 17 h.\n"
                                 "Samedi : fermé en juillet et août.\n".encode(),
                                 "Horaires d'ouverture de la mairie.txt"),
                         by=demo["agent@agen.fr"], note="Horaires d'été")
    first = next(v for v in hours.versions if v.number == 1)
    services.restore_version(hours, first, by=demo["mairie@agen.fr"])

    services.lock_document(_document("Règlement départemental de voirie.pdf"),
                           by=demo["redacteur@cd47.fr"])

    menus = _document("Menus de la cantine - décembre.pdf")
    services.create_share_link(menus, by=demo["mairie@agen.fr"],
                               label="Traiteur Garonne Restauration",
                               expires_on=today_paris() + timedelta(days=30),
                               password="cantine-agen-2026")
    old_link, _ = services.create_share_link(menus, by=demo["mairie@agen.fr"],
                                             label="Ancien prestataire",
                                             expires_on=today_paris() + timedelta(days=7))
    services.revoke_share_link(old_link, by=demo["mairie@agen.fr"])

    space = demo.space_of("47001")
    folder = db.session.scalar(select(Folder).where(Folder.space_id == space.id,
                                                    Folder.name == "Accueil"))
    outdated = services.upload(space, folder, ("Règlement intérieur de l'accueil (2019).\n"
                                               "Remplacé par la version de 2025.\n".encode(),
                                               "Ancien règlement intérieur.txt"),
                               by=demo["mairie@agen.fr"])
    services.delete_document(outdated, by=demo["mairie@agen.fr"])
