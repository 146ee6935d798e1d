"""The demo's mailing lists: two lists, their threads, a post received by mail, sender rules, emergency moderation, bounces (``flask seed-demo``, called by ``demo_content.load``)."""
from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..demo_content import Demo


def seed(demo: Demo) -> None:
    from . import services as lists

    def make(space, name, title, description, owner, subscribers):
        mlist = lists.create_list(space, name=name, by=demo[owner], title=title,
                                  description=description, subscription_policy="open",
                                  posting_policy="members", reply_to="list",
                                  from_rewrite="auto")
        for email in subscribers:
            lists.subscribe_user(mlist, demo[email])
        return mlist

    everyone = list(demo.people)
    info = make(demo.open_space, "info-collectivites", "Informations aux collectivités",
                "Les annonces du Département, de la Préfecture et du Centre de gestion.",
                "redacteur@cd47.fr", everyone)
    first = lists.post_from_web(info, demo["agent@prefecture47.fr"],
                                subject="Calendrier budgétaire 2027",
                                body="Bonjour,\n\nLe budget primitif 2027 est à voter avant le "
                                     "15 avril 2027. Le guide est dans les documents de "
                                     "l'espace ouvert.\n\nLe bureau du contrôle de légalité")
    answer = lists.post_from_web(info, demo["secretaire@agme-agnac.fr"], subject="",
                                 parent=first, body="Merci. Les états fiscaux seront-ils "
                                                    "notifiés avant le 31 mars ?")
    lists.post_from_web(info, demo["agent@prefecture47.fr"], subject="", parent=answer,
                        body="Oui, la DGFiP les transmet mi-mars.")
    lists.post_from_web(info, demo["rh@cdg47.fr"], subject="Recensement 2027 : agents recenseurs",
                        body="Le Centre de gestion propose une formation aux agents "
                             "recenseurs le 8 janvier à Agen.")
    lists.post_from_web(info, demo["redacteur@cd47.fr"],
                        subject="Eau et assainissement : journée technique",
                        body="Le Département organise une journée technique sur les "
                             "schémas directeurs d'eau et d'assainissement le 5 février.")

    secretaries = make(demo.groups["secretaries"], "secretaires-agglo",
                       "Secrétaires de mairie de l'Agglomération",
                       "Entraide entre secrétaires de mairie.", "dgs@agglo-agen.fr",
                       ["dgs@agglo-agen.fr", "mairie@agen.fr", "agent@agen.fr"])
    question = lists.post_from_web(secretaries, demo["agent@agen.fr"],
                                   subject="Attestation d'accueil : nouveau formulaire",
                                   body="Le Cerfa a changé : quelqu'un a-t-il la nouvelle notice ?")
    lists.post_from_web(secretaries, demo["mairie@agen.fr"], subject="", parent=question,
                        body="Je la dépose dans les documents du groupe.")
    _list_moderation(demo, info, secretaries, question)


def _demo_pdf(title: str) -> bytes:
    """A small but real one-page PDF whose page shows ``title`` (ASCII)."""
    text = title.encode("ascii", "replace")
    stream = b"BT /F1 18 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream
               + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    start = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{start}\n"
            "%%EOF\n").encode()
    return bytes(out)


def _list_moderation(demo: Demo, info, secretaries, question) -> None:
    """What the lists' moderators find: a post by mail with its attachment in the archive,
    sender rules, a held post during emergency moderation, a subscriber's bounces."""
    from sqlalchemy import select

    from ..core.timeutil import utcnow
    from ..core.uploads import Sent
    from ..extensions import db
    from . import moderation, services as lists, upkeep
    from .models import ListMessage, Subscriber

    sender = demo["mairie@agen.fr"]
    lists.post_from_mail(
        ListMessage(list_id=secretaries.id, mailing_list=secretaries,
                    message_id=lists.new_message_id(), in_reply_to=question.message_id,
                    references=question.message_id,
                    subject="Re: Attestation d'accueil : nouveau formulaire",
                    sender_email=sender.email.lower(), sender_name=sender.full_name,
                    author_id=sender.id, source="email",
                    body_text="Voici la notice en pièce jointe, reçue ce matin de la "
                              "préfecture.\n\nBonne journée"),
        lists.access.ACCEPT,
        [Sent(_demo_pdf("Notice - attestation d'accueil (Cerfa 10798)"),
              "notice-attestation-accueil.pdf")], actor=sender)
    moderation.set_sender_rule(info, "communication@region-nouvelle-aquitaine.fr", "accept",
                               by=demo["redacteur@cd47.fr"])
    moderation.set_sender_rule(info, "offres@fournitures-mairies.example", "discard",
                               by=demo["redacteur@cd47.fr"])
    moderation.start_emergency(secretaries, utcnow() + timedelta(days=2),
                               by=demo["dgs@agglo-agen.fr"])
    agent = demo["agent@agen.fr"]
    lists.post_from_web(secretaries, agent, subject="Re: Attestation d'accueil : nouveau formulaire",
                        body="Attention, la notice de la préfecture contient une erreur sur "
                             "le timbre fiscal : ne la diffusez pas telle quelle.")
    lists.add_subscribers(info, "Mairie de Sainte-Colombe <secretariat.sainte-colombe@wanadoo.fr>",
                          by=demo["redacteur@cd47.fr"], confirm_outside=False)
    bouncing = db.session.scalar(select(Subscriber).where(
        Subscriber.email == "secretariat.sainte-colombe@wanadoo.fr"))
    upkeep.record_bounce(bouncing, hard=False, status="4.2.2")
    upkeep.record_bounce(bouncing, hard=True, status="5.1.1")
