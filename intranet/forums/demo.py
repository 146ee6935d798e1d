"""The demo's forums: topics, answers, likes, levels, a draft, split and merged topics (``flask seed-demo``, called by ``demo_content.load``)."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..demo_content import Demo


def seed(demo: Demo) -> None:
    from . import services as forums

    def discuss(forum, title, *posts):
        (author, body), *replies = posts
        topic = forums.create_topic(forum, title=title, body=body, body_format="text",
                                    by=demo[author])
        for email, text in replies:
            forums.reply(topic, body=text, body_format="text", by=demo[email])
        return topic

    common = forums.create_forum(
        demo.open_space, name="Questions entre collectivités", by=demo["admin@territoires47.fr"],
        description="Le forum de tout le réseau : budget, urbanisme, services aux habitants.")
    budget = discuss(common, "Budget primitif 2027 : quand le voter ?",
            ("agent@cd47.fr", "Le Département vote son **budget primitif** en décembre. Et vous, "
                              "avant ou après le débat d'orientation budgétaire ?"),
            ("mairie@agen.fr", "À Agen, DOB en février et budget primitif fin mars, après "
                               "la notification des dotations."),
            ("secretaire@agme-agnac.fr", "Dans nos petites communes, le vote a lieu en mars ou "
                                         "avril, avec la reprise des résultats."),
            ("agent@prefecture47.fr", "Rappel : date limite le **15 avril 2027**."))
    discuss(common, "PLUi : organiser l'enquête publique",
            ("dgs@agglo-agen.fr", "L'enquête publique du PLUi de l'Agglomération ouvrira au "
                                  "printemps. Quelles permanences dans les communes ?"),
            ("mairie@agen.fr", "Nous pouvons accueillir le commissaire enquêteur en mairie "
                               "deux samedis."),
            ("agent@prefecture47.fr", "Pensez à l'avis d'enquête quinze jours avant, dans deux "
                                      "journaux."))
    discuss(common, "Cantine scolaire à 1 € : retours d'expérience",
            ("secretaire@agme-agnac.fr", "Nous réfléchissons à la tarification sociale de la "
                                         "cantine. Des communes l'ont-elles mise en place ?"),
            ("agent@cd47.fr", "Le Département accompagne l'approvisionnement local : voir "
                              "les aides en ligne."),
            ("agent@agen.fr", "Agen applique trois tranches de quotient familial depuis "
                              "la rentrée."))
    water = discuss(common, "Eau et assainissement : transfert de la compétence",
                    ("contact@amf47.fr", "Où en sont vos communes du transfert de l'eau et de "
                                         "l'assainissement à l'intercommunalité ?"),
                    ("dgs@agglo-agen.fr", "Transfert fait depuis 2020 pour l'Agglomération "
                                          "d'Agen ; le schéma directeur est en cours de "
                                          "révision."),
                    ("secretaire@agme-agnac.fr", "Hors sujet, mais qui facture l'eau aux "
                                                 "abonnés après le transfert : la commune ou "
                                                 "l'Agglomération ?"),
                    ("dgs@agglo-agen.fr", "L'Agglomération, avec une part fixe et une part "
                                          "proportionnelle au volume."),
                    ("agent@region-na.fr", "La Région cofinance les études de schéma "
                                           "directeur."))
    _forum_features(demo, common, budget, water, discuss)

    secretaries = forums.create_forum(
        demo.groups["secretaries"], name="Entraide des secrétaires de mairie",
        by=demo["dgs@agglo-agen.fr"], description="État civil, urbanisme, paie.")
    discuss(secretaries, "Mentions marginales : passer par COMEDEC ?",
            ("mairie@agen.fr", "Qui utilise déjà COMEDEC pour les demandes d'actes ?"),
            ("agent@agen.fr", "Nous l'utilisons à l'accueil depuis un an : plus de courrier."),
            ("dgs@agglo-agen.fr", "Une formation est prévue avec le Centre de gestion."))
    hr = forums.create_forum(demo.groups["hr"], name="Carrières et remplacements",
                             by=demo["admin@cdg47.fr"])
    discuss(hr, "Remplacer une secrétaire de mairie cet été",
            ("rh@cdg47.fr", "Le service de remplacement du Centre de gestion a encore des "
                            "disponibilités en juillet."),
            ("admin@cdg47.fr", "Faites vos demandes avant le 31 mai."))
    digital = forums.create_forum(demo.groups["digital"], name="Haut débit et outils",
                                  by=demo["redacteur@cd47.fr"])
    discuss(digital, "Fibre : calendrier de raccordement des mairies",
            ("secretaire@agme-agnac.fr", "Quand la mairie d'Agnac sera-t-elle raccordée ?"),
            ("redacteur@cd47.fr", "Au premier semestre : la carte est publiée dans les "
                                  "documents."))
    mayors = forums.create_forum(demo.groups["mayors"], name="Informations aux administrateurs",
                                 by=demo["contact@amf47.fr"])
    discuss(mayors, "Congrès départemental des maires",
            ("contact@amf47.fr", "Le congrès aura lieu à Agen ; le programme est en ligne."),
            ("secretaire@agme-agnac.fr", "Les maires d'Agmé et d'Agnac seront présents."))

    # Each demo organisation's private space has its own forum, with a first exchange.
    house = {
        "departement": ("Direction des routes", "Viabilité hivernale : astreintes",
                        "agent@cd47.fr", "Le planning des astreintes de déneigement est prêt."),
        "region": ("Direction des territoires", "Contrats de territoire : comité de pilotage",
                   "agent@region-na.fr", "Le comité de pilotage de l'Agenais est fixé au 12."),
        "prefecture": ("Bureau du contrôle de légalité", "Actes reçus cette semaine",
                       "agent@prefecture47.fr", "Trois budgets primitifs à examiner en priorité."),
        "amf47": ("Vie de l'association", "Préparation du congrès",
                  "contact@amf47.fr", "Liste des intervenants à confirmer avant vendredi."),
        "cdg47": ("Vie du Centre", "Jurys de concours",
                  "admin@cdg47.fr", "Nous cherchons des élus pour les jurys de mars."),
        "47001": ("Vie de la mairie", "Horaires d'été des services",
                  "mairie@agen.fr", "Les services ferment à 16 h du 14 juillet au 15 août."),
        "47002": ("Vie de la mairie", "Salle des fêtes : nouveau règlement",
                  "secretaire@agme-agnac.fr", "Le règlement sera voté au prochain conseil."),
        "200096956": ("Direction générale", "Schéma directeur d'assainissement",
                      "dgs@agglo-agen.fr", "Le bureau d'études rend son diagnostic en mars."),
    }
    for key, (name, title, email, body) in house.items():
        forum = forums.create_forum(demo.space_of(key), name=name, by=demo[email])
        others = [p for p in _members_of(demo, key) if p != email] or [email]
        discuss(forum, title, (email, body), (others[0], "Bien noté, merci."))


def _forum_features(demo: Demo, common, budget, water, discuss) -> None:
    """Likes, subscription levels (a muted topic, a forum watched for its new topics only), a
    draft left on the server, a topic split by a moderator and two duplicates merged."""
    from sqlalchemy import select

    from ..extensions import db
    from . import following, reorganise, services as forums
    from .models import ForumPost, SubscriptionLevel

    posts = db.session.scalars(select(ForumPost).where(ForumPost.topic_id == budget.id)
                               .order_by(ForumPost.position)).all()
    for post, fans in zip(posts, (("mairie@agen.fr", "dgs@agglo-agen.fr"),
                                  ("agent@cd47.fr",),
                                  ("mairie@agen.fr", "agent@prefecture47.fr"),
                                  ("secretaire@agme-agnac.fr", "mairie@agen.fr",
                                   "dgs@agglo-agen.fr"))):
        for email in fans:
            if post.author_id != demo[email].id:
                forums.toggle_like(post, by=demo[email])
    following.set_level(demo["mairie@agen.fr"], SubscriptionLevel.FIRST, forum=common)
    following.set_level(demo["agent@cd47.fr"], SubscriptionLevel.MUTED, topic=water)
    forums.save_draft(demo["mairie@agen.fr"], topic=budget,
                      body="Pour Agen, le calendrier 2027 sera présenté au bureau municipal "
                           "du")
    moderator = demo["admin@territoires47.fr"]
    off_topic = db.session.scalars(select(ForumPost.id).where(
        ForumPost.topic_id == water.id, ForumPost.position.in_((3, 4)))).all()
    reorganise.split_topic(water, off_topic, title="Facturation de l'eau après le transfert",
                       forum=common, by=moderator)
    kept = discuss(common, "Élections : tenue des bureaux de vote",
                   ("mairie@agen.fr", "Comment constituez-vous vos bureaux de vote quand les "
                                      "assesseurs manquent ?"),
                   ("agent@prefecture47.fr", "Tout électeur de la commune peut être assesseur."))
    duplicate = discuss(common, "Assesseurs pour les bureaux de vote",
                        ("secretaire@agme-agnac.fr", "Nous manquons d'assesseurs : des "
                                                     "idées ?"),
                        ("mairie@agen.fr", "Un appel dans le bulletin municipal fonctionne "
                                           "bien chez nous."))
    reorganise.merge_topics(duplicate, kept, by=moderator)


def _members_of(demo: Demo, key: str) -> list[str]:
    org = demo.orgs[key]
    return [email for email, user in demo.people.items()
            if any(m.organisation_id == org.id for m in user.memberships)]
