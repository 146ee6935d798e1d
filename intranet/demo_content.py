"""The demo's content (`flask seed-demo`, after intranet/demo.py has built the organisations,
people and groups): forums, lists, acts, procurement notices, org charts, conversations,
documents, press releases and aids of a département and its communes, each written by a demo
account through the same service as the web page, so that audit, activity, search and
notifications are the real ones."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from flask import current_app

from .accounts.models import Organisation, User
from .ads import demo as ads_demo
from .agenda import demo as agenda_demo
from .jobs import demo as jobs_demo
from .contacts import demo as contacts_demo
from .documents import demo as documents_demo
from .forums import demo as forums_demo
from .lists import demo as lists_demo
from .spaces import services as spaces
from .spaces.models import Space
from .subsidies import demo as subsidies_demo
from .privacy import demo as privacy_demo
from .search import demo as search_demo

DATA_DIR = Path(__file__).parent / "data"


def luhn_complete(digits: str) -> str:
    """``digits`` followed by the key that makes the whole number pass the Luhn check (the key
    of a SIREN or a SIRET)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char) * (1 if index % 2 else 2)
        total += digit - 9 if digit > 9 else digit
    return digits + str(-total % 10)


def small_pdf(title: str, *lines: str) -> bytes:
    """A one-page PDF (PDF 1.4, Helvetica, WinAnsi) showing ``title`` and ``lines``: real enough
    for a viewer and for the upload checks, small enough for a demo."""
    def literal(text: str) -> bytes:
        raw = text.encode("cp1252", errors="replace")
        return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"

    stream = b"BT /F1 16 Tf 56 780 Td " + literal(title) + b" Tj /F1 11 Tf"
    for line in lines:
        stream += b" 0 -22 Td " + literal(line) + b" Tj"
    stream += b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
            .encode())
    return bytes(out)


@dataclass
class Demo:
    people: dict[str, User]
    orgs: dict[str, Organisation]
    open_space: Space
    groups: dict[str, Space]

    def __getitem__(self, email: str) -> User:
        return self.people[email]

    def space_of(self, key: str) -> Space:
        return spaces.ensure_organisation_space(self.orgs[key])


# The organisations whose members sign in to the demo, with who speaks for each.
DEMO_ORGS = {
    "departement": "redacteur@cd47.fr", "region": "agent@region-na.fr",
    "prefecture": "agent@prefecture47.fr", "amf47": "contact@amf47.fr",
    "cdg47": "admin@cdg47.fr", "47001": "mairie@agen.fr",
    "47002": "secretaire@agme-agnac.fr", "200096956": "dgs@agglo-agen.fr",
}


def load(demo: Demo) -> None:
    """Everything, in an order where each step finds what it refers to."""
    config = current_app.config
    saved = config["FORUM_POSTS_PER_MINUTE"]
    config["FORUM_POSTS_PER_MINUTE"] = 10 ** 6     # a demo writes faster than a person
    try:
        _pages(demo)
        _documents(demo)
        documents_demo.seed(demo)
        forums_demo.seed(demo)
        lists_demo.seed(demo)
        _conversations(demo)
        _org_charts(demo)
        _press_and_aids(demo)
        _deliberations(demo)
        _procurement(demo)
        agenda_demo.seed(demo)
        jobs_demo.seed(demo)
        contacts_demo.seed(demo)
        ads_demo.seed(demo)
        subsidies_demo.seed(demo)
        privacy_demo.seed(demo)
        search_demo.seed(demo)
    finally:
        config["FORUM_POSTS_PER_MINUTE"] = saved


# --- pages and documents ---------------------------------------------------------------------


def _pages(demo: Demo) -> None:
    from .documents import services as documents

    writings = [
        (demo.open_space, "redacteur@cd47.fr", "Bienvenue sur Territoires",
         "## Un intranet pour les collectivités de Lot-et-Garonne\n\n"
         "Le Département, la Région, la Préfecture, l'Association des maires et le Centre de "
         "gestion partagent ici leurs informations avec les **319 communes** et les "
         "**12 intercommunalités** du département.\n\n"
         "- l'espace privé de votre collectivité ;\n- les groupes de travail ;\n"
         "- les délibérations, les aides du Département, les marchés publics."),
        (demo.open_space, "agent@prefecture47.fr", "Calendrier budgétaire 2027",
         "Le **budget primitif 2027** doit être voté avant le **15 avril 2027** (le 30 avril "
         "l'année du renouvellement des conseils). Transmettez-le au contrôle de légalité par "
         "@ctes dans les quinze jours qui suivent son adoption."),
        (demo.space_of("47001"), "mairie@agen.fr", "Permanences de l'état civil en décembre",
         "Les permanences du samedi matin reprennent le **6 décembre**. Merci de prévenir "
         "l'accueil de vos absences avant le 1er."),
        (demo.groups["secretaries"], "dgs@agglo-agen.fr", "Questions fréquentes : recensement",
         "Le recensement de la population a lieu du **15 janvier au 14 février**. Les "
         "agents recenseurs sont recrutés par chaque commune."),
        (demo.space_of("departement"), "agent@cd47.fr", "Programme de voirie 2027 : méthode",
         "Les demandes des communes sont classées selon l'**état de la chaussée**, le trafic "
         "poids lourds et la desserte des écoles. Réunion d'arbitrage le **20 janvier**."),
    ]
    for space, email, title, body in writings:
        page = documents.create_page(space, title=title, body=body, body_format="text",
                                     by=demo[email])
        documents.publish_page(page, by=demo[email])


# space key (None: the open space, group:<name>: a group), author, folder, file name, content
FILES = [
    (None, "redacteur@cd47.fr", "Guides", "Guide du budget primitif 2027.pdf",
     ("Guide du budget primitif 2027", "Calendrier : vote avant le 15 avril 2027.",
      "Section de fonctionnement, section d'investissement, reprise des résultats.")),
    (None, "agent@prefecture47.fr", "Guides", "Contrôle de légalité - pièces à joindre.txt",
     "Délibération : la délibération signée, ses annexes, la note de synthèse.\n"
     "Budget : le document budgétaire et la délibération qui l'adopte.\n"),
    ("departement", "agent@cd47.fr", "Routes", "Règlement départemental de voirie.pdf",
     ("Règlement départemental de voirie", "Titre I : dispositions générales.",
      "Titre II : occupation du domaine public routier départemental.")),
    ("region", "agent@region-na.fr", "Contrats de territoire", "Contrat de territoire Agenais.pdf",
     ("Contrat de territoire Agenais 2026-2028", "Axe 1 : mobilités du quotidien.",
      "Axe 2 : eau et assainissement, sobriété.")),
    ("prefecture", "agent@prefecture47.fr", "Contrôle de légalité", "Circulaire PLUi.pdf",
     ("Plans locaux d'urbanisme intercommunaux", "Rappel des délais de transmission.",)),
    ("amf47", "contact@amf47.fr", "Congrès", "Programme du congrès des maires.pdf",
     ("Congrès départemental des maires", "Matin : finances locales. Après-midi : eau.")),
    ("cdg47", "rh@cdg47.fr", "Concours", "Calendrier des concours 2027.pdf",
     ("Calendrier des concours 2027", "Adjoint administratif principal : mars 2027.",
      "Rédacteur territorial : octobre 2027.")),
    ("47001", "mairie@agen.fr", "Restauration scolaire", "Menus de la cantine - décembre.pdf",
     ("Cantine scolaire : menus de décembre", "Lundi : velouté de potiron, poulet fermier.",
      "Jeudi : repas de Noël.")),
    ("47001", "agent@agen.fr", "Accueil", "Horaires d'ouverture de la mairie.txt",
     "Du lundi au vendredi : 8 h 30 - 17 h 30.\nSamedi : 9 h - 12 h (état civil).\n"),
    ("47002", "secretaire@agme-agnac.fr", "Conseil municipal", "Ordre du jour du conseil.pdf",
     ("Conseil municipal d'Agmé", "1. Budget primitif 2027.", "2. Tarifs de la salle des fêtes.")),
    ("47003", "secretaire@agme-agnac.fr", "Conseil municipal", "Compte rendu du conseil.pdf",
     ("Conseil municipal d'Agnac", "Adoption du rapport sur l'eau potable.")),
    ("200096956", "dgs@agglo-agen.fr", "Urbanisme", "PLUi - note de synthèse.pdf",
     ("PLUi de l'Agglomération d'Agen", "Projet arrêté, avis des communes, enquête publique.")),
    ("group:secretaries", "mairie@agen.fr", "Modèles", "Modèle d'arrêté de voirie.txt",
     "Le maire de la commune de ...,\nVu le code général des collectivités territoriales,\n"
     "ARRÊTE : la circulation est interdite rue ... du ... au ...\n"),
]


def _documents(demo: Demo) -> None:
    from .documents import services as documents

    folders: dict[tuple[int, str], object] = {}
    for key, email, folder_name, filename, content in FILES:
        if key is None:
            space = demo.open_space
        elif key.startswith("group:"):
            space = demo.groups[key[6:]]
        else:
            space = demo.space_of(key)
        author = demo[email]
        folder = folders.get((space.id, folder_name))
        if folder is None:
            folder = folders[(space.id, folder_name)] = documents.create_folder(
                space, folder_name, None, by=author)
        data = small_pdf(*content) if isinstance(content, tuple) else content.encode()
        documents.upload(space, folder, (data, filename), by=author)


# --- conversations -------------------------------------------------------------------------------


def _conversations(demo: Demo) -> None:
    from .messaging import services as messaging

    talks = [
        ("agent@cd47.fr", ["mairie@agen.fr", "secretaire@agme-agnac.fr", "dgs@agglo-agen.fr"],
         "Programme de voirie 2027 : vos demandes",
         "Bonjour,\n\nMerci de m'envoyer avant le **15 janvier** la liste des voies "
         "communales à inscrire au programme de voirie 2027.",
         [("mairie@agen.fr", "Pour Agen : avenue Jean-Jaurès et chemin de Lamothe."),
          ("secretaire@agme-agnac.fr", "Pour Agnac : la route du lavoir, très dégradée.")]),
        ("agent@prefecture47.fr", ["dgs@agglo-agen.fr", "mairie@agen.fr"],
         "Contrôle de légalité : délibération sur le PLUi",
         "Il manque l'annexe du bilan de la concertation à la délibération transmise.",
         [("dgs@agglo-agen.fr", "Elle part aujourd'hui par @ctes, avec nos excuses.")]),
        ("rh@cdg47.fr", ["admin@cdg47.fr", "agent@agen.fr", "secretaire@agme-agnac.fr"],
         "Remplacement de la secrétaire de mairie en juillet",
         "Nous avons une remplaçante disponible du 7 au 25 juillet.",
         [("admin@cdg47.fr", "Validé de mon côté."),
          ("secretaire@agme-agnac.fr", "Parfait pour Agmé, merci !")]),
        ("admin@territoires47.fr", ["redacteur@cd47.fr", "agent@region-na.fr",
                                    "contact@amf47.fr"],
         "Ouverture de l'intranet aux communes",
         "L'intranet est ouvert : pouvez-vous relayer l'information dans vos réseaux ?",
         [("agent@region-na.fr", "C'est fait dans notre lettre aux territoires."),
          ("contact@amf47.fr", "Annonce faite au bureau de l'association.")]),
    ]
    started = []
    for sender, recipients, subject, body, replies in talks:
        conversation = messaging.start_conversation(demo[sender], to=", ".join(recipients),
                                                    subject=subject, body=body)
        for email, text in replies:
            messaging.reply(messaging.participation(demo[email], conversation.id), text)
        started.append(conversation)
    # Agen's director adds the reception agent, from now on, to the roads programme talk; the
    # Agglomération corrects its answer to the préfecture (within the 15 minutes allowed).
    roads, legality = started[0], started[1]
    director = messaging.participation(demo["mairie@agen.fr"], roads.id)
    messaging.add_people(director, "agent@agen.fr", whole_history=False)
    messaging.reply(director, "Lucas, peux-tu relever les nids-de-poule signalés à l'accueil "
                              "pour compléter notre demande ?")
    agglo = messaging.participation(demo["dgs@agglo-agen.fr"], legality.id)
    answer = messaging.message_of(agglo, legality.messages[-1].id)
    messaging.edit_message(agglo, answer, "Elle part aujourd'hui par @ctes, avec le bilan de "
                                          "la concertation annexé. Toutes nos excuses.")


# --- org charts ---------------------------------------------------------------------------------


# organisation key: [(unit, kind, parent unit or None, [(position, person email or name)])]
CHARTS = {
    "departement": [
        ("Direction générale des services", "direction", None,
         [("Directeur général des services", "Bernard Sauvage")]),
        ("Direction des routes", "direction", "Direction générale des services",
         [("Directrice des routes", "Hélène Brunet"),
          ("Chargé de mission aménagement", "agent@cd47.fr")]),
        ("Service entretien de la voirie", "service", "Direction des routes",
         [("Chef du service", "Alain Ducos")]),
        ("Direction de l'éducation et des collèges", "direction",
         "Direction générale des services", [("Directeur", "Yves Carrère")]),
        ("Direction de la communication", "direction", "Direction générale des services",
         [("Rédactrice", "redacteur@cd47.fr")]),
        ("Direction des finances", "direction", "Direction générale des services",
         [("Directrice des finances", "Laure Pujol")]),
    ],
    "47001": [
        ("Direction générale des services", "direction", None,
         [("Directrice générale des services", "mairie@agen.fr")]),
        ("Accueil et état civil", "service", "Direction générale des services",
         [("Agent d'accueil", "agent@agen.fr")]),
        ("Restauration scolaire", "service", "Direction générale des services",
         [("Responsable de la cantine centrale", "Nathalie Garcia")]),
        ("Services techniques", "direction", "Direction générale des services",
         [("Directeur des services techniques", "Franck Laborde")]),
        ("Voirie et propreté", "service", "Services techniques",
         [("Chef d'équipe voirie", "Kevin Lasserre")]),
    ],
    "region": [("Direction des territoires", "direction", None,
                [("Chargé de mission territoires", "agent@region-na.fr")])],
    "prefecture": [("Bureau du contrôle de légalité", "bureau", None,
                    [("Rédactrice", "agent@prefecture47.fr")])],
    "amf47": [("Bureau de l'association", "direction", None,
               [("Délégué", "contact@amf47.fr")])],
    "cdg47": [("Direction", "direction", None, [("Directeur", "admin@cdg47.fr")]),
              ("Emploi et remplacements", "service", "Direction",
               [("Conseillère emploi", "rh@cdg47.fr")])],
    "47002": [("Secrétariat de mairie", "service", None,
               [("Secrétaire de mairie", "secretaire@agme-agnac.fr")])],
    "200096956": [("Direction générale des services", "direction", None,
                   [("Directeur général des services", "dgs@agglo-agen.fr")]),
                  ("Eau et assainissement", "direction", "Direction générale des services",
                   [("Directrice du cycle de l'eau", "Sandrine Roux")]),
                  ("Urbanisme et PLUi", "service", "Direction générale des services",
                   [("Chef de projet PLUi", "Mathieu Faure")])],
}


def _org_charts(demo: Demo) -> None:
    from .core.types import Visibility
    from .publications.orgcharts import services as orgcharts

    for key, units in CHARTS.items():
        org = demo.orgs[key]
        by = demo[DEMO_ORGS[key]]
        if key in ("departement", "47001"):
            orgcharts.set_visibility(org, Visibility.PUBLIC, by=by)
        made = {}
        for name, kind, parent, positions in units:
            unit = orgcharts.create_unit(org, name=name, kind=kind, by=by,
                                         parent_id=made[parent].id if parent else None)
            made[name] = unit
            for index, (title, who) in enumerate(positions):
                person = demo.people.get(who)
                orgcharts.create_position(unit, title=title, by=by, is_head=index == 0,
                                          user_id=person.id if person else None,
                                          person_name="" if person else who)


# --- publications ---------------------------------------------------------------------------------


def _press_and_aids(demo: Demo) -> None:
    from .publications.aids import services as aids
    from .publications.press import services as press

    releases = [
        ("departement", "redacteur@cd47.fr", "Le Département accélère le très haut débit", 0,
         "Le Conseil départemental annonce le raccordement de **12 000 foyers** supplémentaires "
         "à la fibre d'ici la fin de l'année."),
        ("departement", "redacteur@cd47.fr", "Budget primitif 2027 : priorité aux routes et aux "
         "collèges", 2,
         "Le budget primitif 2027 consacre **48 millions d'euros** à la voirie départementale "
         "et à la rénovation des collèges."),
        ("47001", "mairie@agen.fr", "Cantine scolaire : 50 % de produits locaux", 5,
         "La cuisine centrale d'Agen sert désormais la moitié de ses repas avec des produits "
         "de Lot-et-Garonne."),
        ("prefecture", "agent@prefecture47.fr", "Fin des restrictions d'usage de l'eau", 9,
         "Le niveau des rivières permet de lever les mesures de restriction des usages de "
         "l'eau sur l'ensemble du département."),
    ]
    for key, email, title, days_ago, body in releases:
        release = press.create_release(demo.orgs[key], title=title, body=body, by=demo[email],
                                       release_date=date.today() - timedelta(days=days_ago))
        press.publish(release, by=demo[email])

    council = demo["redacteur@cd47.fr"]
    offers = [
        aids.AidData(title="Aide aux travaux de voirie communale",
                     summary="Pour les communes rurales.",
                     description="Le Département aide les communes de moins de 3 500 habitants "
                                 "à entretenir leur voirie.", beneficiaries=["communes"],
                     themes=["mobilite", "amenagement"], rate_percent=Decimal("30"),
                     ceiling_amount=Decimal("20000"),
                     opens_on=date.today() - timedelta(days=30),
                     closes_on=date.today() + timedelta(days=90),
                     service="Direction des routes", contact_email="routes@lotetgaronne.fr"),
        aids.AidData(title="Approvisionnement local des cantines scolaires",
                     summary="Des produits de Lot-et-Garonne dans les assiettes.",
                     description="Le Département prend en charge une part du surcoût des "
                                 "produits locaux et bio servis dans les cantines scolaires.",
                     beneficiaries=["communes"], themes=["agriculture", "education"],
                     rate_percent=Decimal("40"), ceiling_amount=Decimal("15000"),
                     opens_on=date.today() - timedelta(days=10),
                     closes_on=date.today() + timedelta(days=120),
                     service="Direction de l'éducation et des collèges",
                     contact_email="education@lotetgaronne.fr"),
    ]
    for data in offers:
        aid = aids.create_aid(demo.orgs["departement"], data, by=council)
        aids.publish(aid, by=council)
    # The commune's director follows the Département's aids for communes (« Mes alertes »).
    from .publications.aids import alerts
    from .publications.aids.models import AlertFrequency
    alerts.subscribe(f"beneficiaire=communes&organisme={demo.orgs['departement'].id}",
                     AlertFrequency.WEEKLY, user=demo["mairie@agen.fr"])


def _deliberations(demo: Demo) -> None:
    from .publications.deliberations import acknowledgements, services as acts
    from .publications.deliberations.models import ActNature, Assembly, PublicationMode, \
        today_paris

    for key, nic in (("departement", "000100"), ("47001", "000100")):
        org = demo.orgs[key]
        acts.save_settings(org, by=demo[DEMO_ORGS[key]],
                           siret=luhn_complete(org.siren + nic[:4]),
                           publication_mode=PublicationMode.ELECTRONIC, mode_chosen_on=None,
                           mode_deliberation_number=None)

    today = today_paris()
    # organisation key, assembly, days ago, signatory, function,
    # [(number, matière, nature, subject, body)]
    sittings = [
        ("departement", Assembly.DEPARTMENTAL_COUNCIL, 12, "Sophie Borderie",
         "Présidente du conseil départemental", [
             ("2026_101", "7.1", ActNature.BUDGET, "Budget primitif 2027",
              "Le conseil départemental **adopte** le budget primitif 2027."),
             ("2026_102", "8.3", ActNature.DELIBERATION, "Programme départemental de voirie 2027",
              "Le programme retient **42 opérations** de renforcement de chaussée."),
             ("2026_103", "8.1", ActNature.DELIBERATION,
              "Aide à l'approvisionnement local des cantines scolaires",
              "Le conseil crée une aide aux communes pour les produits locaux."),
         ]),
        ("47001", Assembly.MUNICIPAL_COUNCIL, 41, "Jean Dionis du Séjour", "Maire", [
            ("2026_071", "7.5", ActNature.DELIBERATION,
             "Subvention au comité des fêtes pour le pruneau show",
             "Le conseil municipal attribue une subvention de **4 500 €**."),
        ]),
        ("47001", Assembly.MUNICIPAL_COUNCIL, 6, "Jean Dionis du Séjour", "Maire", [
            ("2026_087", "2.1", ActNature.DELIBERATION, "Avis de la commune sur le projet de PLUi",
             "Le conseil municipal émet un **avis favorable** au projet de PLUi arrêté."),
            ("2026_088", "8.1", ActNature.DELIBERATION, "Tarifs de la cantine scolaire 2027",
             "Trois tarifs selon le quotient familial, de 1 € à 3,60 € le repas."),
            ("2026_089", "8.8", ActNature.DELIBERATION,
             "Rapport sur le prix et la qualité du service public de l'eau",
             "Le conseil prend acte du rapport annuel sur l'eau et l'assainissement."),
        ]),
        ("200096956", Assembly.COMMUNITY_COUNCIL, 20, "Jean Dionis du Séjour", "Président", [
            ("2026_210", "2.1", ActNature.DELIBERATION, "Arrêt du projet de PLUi",
             "Le conseil communautaire arrête le projet de plan local d'urbanisme "
             "intercommunal."),
            ("2026_211", "8.8", ActNature.DELIBERATION,
             "Schéma directeur d'assainissement : lancement de l'étude",
             "L'étude couvrira les 44 communes de l'Agglomération."),
        ]),
    ]
    sitting_of = {}
    for key, assembly, days_ago, signatory, function, items in sittings:
        org, by = demo.orgs[key], demo[DEMO_ORGS[key]]
        published = []
        for number, matiere, nature, subject, body in items:
            data = acts.ActData(nature=nature, number=number, assembly=assembly,
                                sitting_date=today - timedelta(days=days_ago), subject=subject,
                                matiere_code=matiere, signatory_name=signatory,
                                signatory_function=function, body=body,
                                members_in_office=42, members_present=38, votes_for=33,
                                votes_against=3, abstentions=2,
                                budget_year="2027" if nature == ActNature.BUDGET else None,
                                budget_name="Budget principal"
                                if nature == ActNature.BUDGET else None)
            pdf = small_pdf(f"{org.name} - délibération n° {number}", subject,
                            f"Séance du {data.sitting_date:%d/%m/%Y}.", f"Signé : {signatory}.")
            act = acts.create_deliberation(org, data, by=by,
                                           act_pdf=acts.Upload(pdf, f"deliberation-{number}.pdf"))
            acts.publish(act, by=by)
            published.append(act)
        sitting = published[0].sitting
        acts.publish_sitting_list(sitting, by=by)
        acts.save_agenda(sitting, "\n".join(
            ["Approbation du procès-verbal de la séance précédente"]
            + [subject for _n, _m, _k, subject, _b in items] + ["Questions diverses"]), by=by)
        sitting_of[(key, days_ago)] = sitting
    # Agen's minutes of its earlier sitting, approved at the latest one and put online; those
    # of the latest sitting wait for the next one.
    agen, agen_editor = demo.orgs["47001"], demo[DEMO_ORGS["47001"]]
    earlier, latest = sitting_of[("47001", 41)], sitting_of[("47001", 6)]
    minutes = acts.save_minutes(earlier, by=agen_editor, approved_on=latest.sitting_date,
                                pdf=acts.Upload(small_pdf(
                                    f"{agen.name} - procès-verbal", earlier.title,
                                    "Présents : 38 conseillers. Secrétaire de séance : "
                                    "Mme Clara Lafon.",
                                    f"Approuvé le {latest.sitting_date:%d/%m/%Y}."),
                                    "proces-verbal.pdf"))
    acts.publish(minutes, by=agen_editor)
    acts.save_minutes(latest, by=agen_editor, approved_on=None,
                      pdf=acts.Upload(small_pdf(f"{agen.name} - procès-verbal", latest.title,
                                                "Projet soumis à la prochaine séance."),
                                      "projet-proces-verbal.pdf"))
    # The préfecture's acknowledgements of the Département's acts, recorded from its CSV.
    departement = demo.orgs["departement"]
    sent = sitting_of[("departement", 12)].sitting_date + timedelta(days=2)
    acknowledgements.import_acknowledgements(departement, "numero;date_transmission;identifiant_accuse\n" + "".join(
        f"{number};{sent:%d/%m/%Y};047-224700016-{sent:%Y%m%d}-{number}-DE\n"
        for number in ("2026_101", "2026_102", "2026_103")), by=demo[DEMO_ORGS["departement"]])


def _procurement(demo: Demo) -> None:
    from .publications.procurement import services as procurement
    from .publications.procurement.models import Procedure

    procurement.import_nomenclature("CPV 2008", (DATA_DIR / "cpv-2008-en.csv").read_bytes(),
                                    by=demo["admin@territoires47.fr"])
    notices = [
        ("departement", "redacteur@cd47.fr", "Renforcement de chaussée de la RD 813",
         Procedure.OPEN_TENDER, "45233140-2", "2026-RD813", 30,
         "Travaux de renforcement de chaussée sur 6 km entre Agen et Port-Sainte-Marie."),
        ("departement", "redacteur@cd47.fr", "Rénovation énergétique du collège de Nérac",
         Procedure.ADAPTED, "45214200-2", "2026-COL-NER", 45,
         "Isolation, menuiseries et chaufferie du collège."),
        ("47001", "mairie@agen.fr", "Fourniture de repas pour la restauration scolaire",
         Procedure.OPEN_TENDER, "55523100-3", "AGEN-2026-12", 25,
         "Marché de fourniture de repas en liaison froide pour les écoles, 50 % de produits "
         "locaux."),
        ("200096956", "dgs@agglo-agen.fr", "Réhabilitation du réseau d'assainissement de Boé",
         Procedure.ADAPTED, "45232410-9, 90400000", "AA-2026-031", 35,
         "Chemisage de 1,2 km de collecteurs d'eaux usées."),
        ("200096956", "dgs@agglo-agen.fr", "Assistance à maîtrise d'ouvrage pour le PLUi",
         Procedure.ADAPTED, "71410000", "AA-2026-032", 20,
         "Accompagnement de l'enquête publique et de l'approbation du PLUi."),
    ]
    for key, email, title, procedure, codes, reference, days, description in notices:
        data = procurement.NoticeData(
            title=title, procedure=procedure, codes=codes, reference=reference,
            deadline=datetime.combine(date.today() + timedelta(days=days), time(10)),
            description=description)
        pdf = small_pdf(f"Règlement de la consultation {reference}", title,
                        f"Remise des offres avant le {data.deadline:%d/%m/%Y} à 12 h.")
        notice = procurement.create_notice(demo.orgs[key], data, by=demo[email],
                                           files=[(pdf, f"RC-{reference}.pdf")])
        procurement.publish(notice, by=demo[email])
