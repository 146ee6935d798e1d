"""A département-scale dataset: 450 organisations, 5,000 people, 100,000 searchable pages of
French text, written with bulk inserts (the search queue is bypassed: measure indexing with
``flask search reindex`` or ``benchmarks/search.py``).

The text has the word statistics of real French, which is what search speed depends on: words
are drawn from the frequency list of French in ``wordfreq`` (a Zipf distribution over 60,000
words, so « conseil » is common and « hydrocurage » rare), each page has a subject of its own
(an ACTES matière and a handful of words that recur in it, as real pages repeat their subject),
and about a third of the sentences are administrative phrasing with commune names.

    DATABASE_URL=sqlite:///benchmarks/out/scale.sqlite python -m benchmarks.seed_scale
"""
from __future__ import annotations

import random
import time
from pathlib import Path

from sqlalchemy import func, insert, select
from werkzeug.security import generate_password_hash

from intranet.accounts import organisations
from intranet.accounts.models import Membership, Organisation, OrgKind, User
from intranet.core.types import Role, Visibility
from intranet.cli import DATA_DIR
from intranet.core.timeutil import utcnow
from intranet.documents.models import Page, PageStatus
from intranet.extensions import db
from intranet.spaces import services as spaces
from intranet.spaces.models import JoinPolicy, Space, SpaceKind, SpaceMember

SUBJECTS = ["le conseil municipal", "la commission permanente", "le bureau communautaire",
            "le syndicat des eaux", "le centre de gestion", "la préfecture", "le Département",
            "l'association des maires", "le comité syndical", "la communauté de communes"]
VERBS = ["approuve", "adopte", "examine", "reporte", "modifie", "renouvelle", "attribue",
         "décide", "autorise", "confie", "sollicite", "propose"]
OBJECTS = ["le budget primitif", "la décision modificative", "le plan local d'urbanisme",
           "la convention de mise à disposition", "le marché de travaux de voirie",
           "la subvention aux associations sportives", "le tarif de la cantine scolaire",
           "le règlement du cimetière", "la révision des listes électorales",
           "le contrat de maintenance de l'éclairage public", "le schéma de mutualisation",
           "la délibération relative aux indemnités des élus", "le programme de haut débit",
           "la dotation d'équipement des territoires ruraux", "le rapport d'orientation budgétaire",
           "l'adhésion au service de médecine préventive", "le recrutement d'un agent contractuel",
           "la création d'un poste d'adjoint technique", "la rénovation de la salle des fêtes",
           "l'entretien des chemins ruraux", "la gestion des déchets ménagers",
           "le fonds de concours intercommunal", "la restauration de l'église",
           "l'aménagement du bourg", "la défense extérieure contre l'incendie"]
DETAILS = ["après avis favorable de la commission des finances", "pour l'exercice 2026",
           "à l'unanimité des membres présents", "sous réserve de l'accord de la préfecture",
           "dans le cadre du contrat de territoire", "selon le calendrier prévisionnel",
           "conformément au code général des collectivités territoriales",
           "avec le concours financier de la Région", "en lien avec les services de l'État",
           "pour un montant de {n} euros hors taxes", "au titre de l'année {y}",
           "après consultation des habitants de {c}", "sur le territoire de {c}"]


def sentence(rng: random.Random, communes: list[str]) -> str:
    detail = rng.choice(DETAILS).format(n=rng.randrange(1_000, 900_000),
                                        y=rng.choice((2024, 2025, 2026)), c=rng.choice(communes))
    return f"{rng.choice(SUBJECTS).capitalize()} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {detail}."


class FrenchText:
    """Pages of French whose word frequencies follow the language's (see the module's doc)."""

    VOCABULARY = 60_000

    def __init__(self, rng: random.Random, communes: list[str]):
        from itertools import accumulate

        from wordfreq import top_n_list, word_frequency
        self.rng = rng
        self.communes = communes
        words = [w for w in top_n_list("fr", self.VOCABULARY * 2)
                 if w.isalpha() and len(w) > 1][:self.VOCABULARY]
        self.words = words
        self.cumulative = list(accumulate(word_frequency(w, "fr") for w in words))
        # subject words: the content words people search for, below the 300 most common
        self.subject_words = words[300:30_000]
        self.subject_weights = list(accumulate(1 / (rank + 300)
                                               for rank in range(len(self.subject_words))))
        self.matieres = [row.split(",")[3] for row in
                         (DATA_DIR / "actes-matieres.csv").read_text().splitlines()[1:]
                         if row.split(",")[1] == "2"]

    def page(self) -> tuple[str, str]:
        rng = self.rng
        subject = rng.choices(self.subject_words, cum_weights=self.subject_weights, k=6)
        sentences = []
        for _ in range(rng.randint(3, 14)):
            if rng.random() < 0.3:
                sentences.append(sentence(rng, self.communes))
                continue
            words = rng.choices(self.words, cum_weights=self.cumulative, k=rng.randint(6, 22))
            for _ in range(rng.randint(0, 3)):
                words.insert(rng.randrange(len(words) + 1), rng.choice(subject))
            sentences.append(" ".join(words).capitalize() + ".")
        title = (f"{rng.choice(self.matieres)} : {subject[0]} {rng.choice(subject[1:])} — "
                 f"{rng.choice(self.communes)}")
        return title, " ".join(sentences)


def seed(n_orgs: int = 450, n_users: int = 5_000, n_docs: int = 100_000, seed_: int = 47) -> dict:
    rng = random.Random(seed_)
    started = time.perf_counter()
    if db.session.scalar(select(func.count()).select_from(Page)) >= n_docs:
        return {"skipped": True}
    spaces.ensure_open_space()
    organisations.import_csv((DATA_DIR / "communes-47.csv").read_bytes())
    existing = db.session.scalar(select(func.count()).select_from(Organisation))
    for n in range(existing, n_orgs):
        organisations.create_organisation(name=f"Syndicat intercommunal n° {n}",
                                          kind=OrgKind.OTHER)
    db.session.commit()
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.id)).all()
    communes = [o.name for o in orgs if o.kind == OrgKind.COMMUNE]
    password = generate_password_hash("benchmark-password", method="pbkdf2:sha256:1000")
    db.session.execute(insert(User), [
        {"email": f"agent{i}@scale.test", "first_name": "Agent", "last_name": f"N{i}",
         "password_hash": password, "function": "", "phone": "", "active": True,
         "is_platform_admin": False, "token_generation": 0, "created_at": utcnow()}
        for i in range(n_users)])
    # the accounts made here, in a fixed order: accounts already in the database (the
    # demo's) keep the memberships they have
    user_ids = list(db.session.scalars(select(User.id).where(
        User.email.like("agent%@scale.test")).order_by(User.id)))
    roles = [Role.MEMBER] * 6 + [Role.EDITOR] * 3 + [Role.ADMIN]
    db.session.execute(insert(Membership), [
        {"user_id": uid, "organisation_id": orgs[i % len(orgs)].id, "role": rng.choice(roles),
         "created_at": utcnow()} for i, uid in enumerate(user_ids)])
    admin = db.session.get(User, user_ids[0])
    for n in range(200):
        spaces.create_group(name=f"Groupe de travail {n}", description="", by=admin,
                            visibility=rng.choice(list(Visibility)),
                            join_policy=JoinPolicy.REQUEST)
    db.session.commit()
    group_ids = list(db.session.scalars(select(Space.id).where(Space.kind == SpaceKind.GROUP)))
    admins = set(db.session.scalars(select(SpaceMember.user_id)))
    db.session.execute(insert(SpaceMember), [
        {"space_id": rng.choice(group_ids), "user_id": uid, "role": Role.MEMBER,
         "status": "active", "created_at": utcnow()}
        for uid in rng.sample(user_ids, min(3_000, len(user_ids))) if uid not in admins])
    db.session.commit()
    space_ids = list(db.session.scalars(select(Space.id)))
    now = utcnow()
    text = FrenchText(rng, communes)
    for start in range(0, n_docs, 5_000):
        rows = []
        for _ in range(min(5_000, n_docs - start)):
            title, body = text.page()
            rows.append({"space_id": rng.choice(space_ids), "title": title, "body_html":
                         f"<p>{body}</p>", "body_source": body, "body_format": "text",
                         "status": PageStatus.PUBLISHED, "author_id": rng.choice(user_ids),
                         "updated_at": now, "created_at": now, "published_at": now,
                         "version": 1, "review_comment": ""})
        db.session.execute(insert(Page), rows)
        db.session.commit()
    return {"organisations": len(orgs), "users": n_users, "pages": n_docs,
            "seconds": round(time.perf_counter() - started, 1)}


if __name__ == "__main__":
    import os

    from intranet import create_app
    Path("benchmarks/out").mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DATABASE_URL", "sqlite:///" + str(Path("benchmarks/out/scale.sqlite").resolve()))
    app = create_app()
    with app.app_context():
        db.create_all()
        print(seed())
