"""Classified ads: writing (photos re-encoded), the life cycle (published at once through the
one publication life cycle, expiry, renewal, done), reports and moderation, contact through the
messaging, and the queries behind the listing, the feed and « Mes annonces »."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import bindparam, func, literal, or_, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from .. import access
from ..accounts import finder
from ..accounts.models import ORGANISATIONS, Membership, Organisation, OrgKind, User
from ..core import audit, generations, images, uploads
from ..core.frdates import format_date
from ..core.text import fold
from ..core.models import StoredFile
from ..core.timeutil import to_paris, utcnow
from ..core.types import Role, Visibility
from ..core.uow import unit_of_work
from ..core.urls import absolute_url, path_for
from ..extensions import db
from ..mail.services import queue
from ..messaging import services as messaging
from ..notifications.services import notify, register_kind
from ..publications import publishing
from ..publications.lifecycle import PublicationStatus
from ..spaces import services as spaces
from .models import Ad, AdCategory, AdKind, AdPhoto, AdReport

register_kind("ads.report", "Petites annonces signalées (modération de l'espace ouvert)")
register_kind("ads.moderated", "Mes petites annonces masquées ou rétablies par la modération")

VISIBILITIES = (Visibility.PUBLIC, Visibility.NETWORK)
MAX_PRICE = Decimal("99999999.99")


class AdError(publishing.PublicationError):
    """A refused change to an ad, with a French message; nothing was changed. ``field``: the
    form field it is about, when there is one."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


class RenewalError(ValueError):
    """A renewal link that cannot serve (French message)."""


def _done_refusal(ad: Ad) -> str | None:
    return ("Une annonce conclue ne se republie pas : déposez-en une nouvelle."
            if ad.done_at else None)


def _on_done(ad: Ad) -> None:
    ad.done_at = utcnow()


publishing.register(Ad, publishing.PublicationType(
    key="ad", endpoint="ads.show", id_arg="ad_id", this="Cette annonce", noun="Annonce",
    summary=lambda ad: f"Petite annonce ({ad.kind.label.lower()}) : {ad.title}", error=AdError,
    publish_refusal=_done_refusal, on_withdrawn=_on_done, attachments="photos",
    attachment=AdPhoto, attachment_types=uploads.IMAGES))


# --- writing -------------------------------------------------------------------------------------


@dataclass
class AdData:
    kind: str = ""
    category: str = ""
    title: str = ""
    description: str = ""
    price: Decimal | None = None
    commune_id: int | None = None
    visibility: str = Visibility.PUBLIC.value


def parse_price(text: str) -> Decimal | None:
    """« 1 200,50 € » → Decimal("1200.50"); empty → None. Raise ``AdError`` otherwise."""
    cleaned = re.sub(r"[\s\u00a0\u202f€]", "", text or "")
    if not cleaned:
        return None
    if not re.fullmatch(r"\d{1,8}([.,]\d{1,2})?", cleaned):
        raise AdError("Indiquez un prix en euros, par exemple 1 200 ou 15,50 ; "
                      "laissez vide si c'est gratuit.", "price")
    return Decimal(cleaned.replace(",", "."))


def _commune(commune_id: int | None) -> Organisation | None:
    if commune_id is None:
        return None
    commune = db.session.get(Organisation, commune_id)
    if commune is None or not commune.is_active or commune.kind != OrgKind.COMMUNE:
        raise AdError("Choisissez une commune de la liste.", "commune")
    return commune


def _apply(ad: Ad, data: AdData) -> None:
    title = " ".join((data.title or "").split())
    if not title:
        raise AdError("Donnez un titre à l'annonce.", "title")
    if len(title) > 200:
        raise AdError("Le titre est trop long (200 caractères au plus).", "title")
    description = (data.description or "").strip()
    if len(description) > 10_000:
        raise AdError("La description est trop longue (10 000 caractères au plus).",
                      "description")
    if data.kind not in {k.value for k in AdKind}:
        raise AdError("Choisissez le type d'annonce.", "kind")
    if data.category not in {c.value for c in AdCategory}:
        raise AdError("Choisissez une catégorie.", "category")
    if data.visibility not in {v.value for v in VISIBILITIES}:
        raise AdError("Une annonce est publique ou réservée au réseau.", "visibility")
    if data.price is not None and not (0 <= data.price <= MAX_PRICE):
        raise AdError("Indiquez un prix entre 0 et 99 999 999 €.", "price")
    ad.commune = _commune(data.commune_id)
    ad.kind, ad.category, ad.title = AdKind(data.kind), AdCategory(data.category), title
    ad.description, ad.price, ad.visibility = description, data.price, Visibility(data.visibility)
    ad.search_text = fold(f"{title}\n{description}\n{ad.commune.name if ad.commune else ''}")


def _photo_bytes(upload, by: User) -> tuple[bytes, str]:
    """The bytes of a photo sent now or kept from a refused form (a pending ``StoredFile``:
    adopted, read, and its raw file removed once this commits: only re-encoded copies stay)."""
    if isinstance(upload, StoredFile):
        uploads.adopt(upload, allowed=uploads.IMAGES)
        data, name = uploads.read(upload), upload.original_name
        db.session.delete(upload)
        uploads.discard_after_commit([upload])
        return data, name
    data, name = upload
    return data, uploads.clean_filename(name)


def _add_photos(ad: Ad, files, by: User) -> None:
    files = list(files or ())
    limit = current_app.config["AD_MAX_PHOTOS"]
    if len(ad.photos) + len(files) > limit:
        raise AdError(f"{limit} photos au plus par annonce : retirez-en avant d'en ajouter.",
                      "photos")
    for upload in files:
        data, name = _photo_bytes(upload, by)
        if len(data) > current_app.config["UPLOAD_MAX_BYTES"]:
            raise AdError(f"La photo « {name} » dépasse la taille autorisée.", "photos")
        try:
            thumbnail, display = images.reencode(
                data, current_app.config["AD_PHOTO_SIZES"], name=name)
        except images.ImageError as exc:
            raise AdError(str(exc), "photos") from exc
        stem = name.rsplit(".", 1)[0] or "photo"
        ad.photos.append(AdPhoto(
            thumbnail=uploads.store(thumbnail, f"{stem}-vignette.jpg", allowed=("jpg",), by=by),
            file=uploads.store(display, f"{stem}.jpg", allowed=("jpg",), by=by)))


@unit_of_work
def create_ad(organisation: Organisation, data: AdData, *, personal: bool, by: User,
              files=()) -> Ad:
    """Publish an ad at once (the life cycle's ``publish``: audit, activity line), online for
    ``AD_LIFETIME``. ``personal``: by ``by`` as a person, naming ``organisation`` (one of
    theirs); else in the organisation's name, which ``by`` must publish for."""
    if not access.can_post_ad_as(by, organisation, personal):
        raise AdError("Vous ne pouvez pas publier d'annonce pour cet organisme.", "publisher")
    ad = Ad(organisation=organisation, personal=personal, created_by=by,
            status=PublicationStatus.DRAFT,
            expires_at=utcnow() + current_app.config["AD_LIFETIME"])
    _apply(ad, data)
    db.session.add(ad)
    _add_photos(ad, files, by)
    publishing.publish(ad, by=by)
    return ad


@unit_of_work
def update_ad(ad: Ad, data: AdData, *, by: User, files=()) -> Ad:
    _apply(ad, data)
    _add_photos(ad, files, by)
    publishing.follow_visibility(ad)
    return ad


@unit_of_work
def remove_photo(ad: Ad, photo: AdPhoto, *, by: User) -> None:
    """Its two files leave the disk once this is committed."""
    ad.photos.remove(photo)
    ad.updated_at = utcnow()


@unit_of_work
def mark_done(ad: Ad, *, by: User) -> None:
    """« Conclue »: taken offline for good through the life cycle's ``withdraw``."""
    publishing.withdraw(ad, by=by, reason="Annonce conclue")


@unit_of_work
def delete_ad(ad: Ad, *, by: User) -> None:
    """Delete an ad, its photos' files (after the commit) and the lines announcing it."""
    spaces.retract_activity(path_for("ads.show", ad_id=ad.id))
    db.session.delete(ad)


def _renewal_refusal(ad: Ad) -> str | None:
    if ad.done_at is not None or ad.status != PublicationStatus.PUBLISHED:
        return "Cette annonce est conclue : elle ne peut plus être prolongée."
    if ad.hidden_at is not None:
        return ("Cette annonce a été masquée par la modération : elle ne peut pas être "
                "prolongée.")
    return None


@unit_of_work
def renew(ad: Ad, *, by: User | None = None) -> Ad:
    """Online for ``AD_LIFETIME`` more (from its end, or from now when it has expired); the
    next reminder will be sent again, and every earlier renewal link stops working."""
    refusal = _renewal_refusal(ad)
    if refusal:
        raise AdError(refusal)
    now = utcnow()
    ad.expires_at = max(ad.expires_at, now) + current_app.config["AD_LIFETIME"]
    ad.reminded_at = ad.expiry_noted_at = None
    ad.renewal_count = (ad.renewal_count or 0) + 1
    return ad


# --- the renewal link ----------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"],
                                  salt="territoires-ad-renewal")


def renewal_token(ad: Ad) -> str:
    """A signed link that renews ``ad`` once (it carries the renewal count it was made with)."""
    return _serializer().dumps({"a": ad.id, "n": ad.renewal_count or 0})


def until(ad: Ad) -> str:
    return format_date(to_paris(ad.expires_at).date())


@unit_of_work
def renew_by_link(token: str) -> Ad:
    """Renew the ad of a reminder's link; ``RenewalError`` (French) when the link is damaged,
    too old, already used, or its ad deleted, done or hidden."""
    try:
        data = _serializer().loads(
            token, max_age=int(current_app.config["AD_RENEWAL_LINK_MAX_AGE"].total_seconds()))
    except SignatureExpired as exc:
        raise RenewalError("Ce lien est trop ancien. Prolongez votre annonce depuis « Mes "
                           "annonces », après vous être connecté.") from exc
    except BadSignature as exc:
        raise RenewalError("Ce lien n'est pas valide. Vérifiez qu'il a été copié en entier.") \
            from exc
    ad_id = data.get("a") if isinstance(data, dict) else None
    ad = db.session.get(Ad, ad_id) if isinstance(ad_id, int) and 0 < ad_id < 2**31 else None
    if ad is None:
        raise RenewalError("Cette annonce n'existe plus : elle a été supprimée.")
    if data.get("n") != (ad.renewal_count or 0):
        # (no title: a forwarded link tells nothing of the ad)
        raise RenewalError(f"Ce lien a déjà servi : l'annonce est en ligne jusqu'au {until(ad)}."
                           if ad.is_live else "Ce lien a déjà servi.")
    try:
        return renew(ad)
    except AdError as exc:
        raise RenewalError(str(exc)) from exc


# --- the worker's round: reminders, expiry -------------------------------------------------------


def answering(ad: Ad) -> list[User]:
    """Who answers for an ad: its author while they still manage it; else (an organisation's
    ad whose author left) the organisation's active editors and admins."""
    author = ad.created_by
    if author is not None and author.active and access.can_manage_ad(author, ad):
        return [author]
    if ad.personal:
        return []
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == ad.organisation_id, User.active.is_(True),
               Membership.role.in_([Role.EDITOR, Role.ADMIN])).order_by(User.id)))


@unit_of_work
def send_expiry_reminders(now: datetime | None = None) -> int:
    """Mail, once per period online, whoever answers for each ad that ends within
    ``AD_REMINDER_BEFORE``, with a link that renews it in one click."""
    now = now or utcnow()
    ads = db.session.scalars(select(Ad).where(
        access.live_ads(now), Ad.reminded_at.is_(None),
        Ad.expires_at <= now + current_app.config["AD_REMINDER_BEFORE"])).all()
    for ad in ads:
        ad.reminded_at = now
        link = absolute_url("ads.renew", token=renewal_token(ad))
        for person in answering(ad):
            queue(person.email, f"Votre annonce se termine le {until(ad)}", "ad_reminder",
                  person=person, ad=ad, until=until(ad), renew_url=link,
                  days=current_app.config["AD_LIFETIME"].days,
                  url=absolute_url("ads.show", ad_id=ad.id),
                  mine_url=absolute_url("ads.mine"))
    return len(ads)


@unit_of_work
def note_expired(now: datetime | None = None) -> int:
    """Ads that expired since the last round leave the search index (the writer finds they
    have no document any more) and the open space's « quoi de neuf »."""
    now = now or utcnow()
    ads = db.session.scalars(select(Ad).where(
        Ad.status == PublicationStatus.PUBLISHED, Ad.expires_at <= now,
        Ad.expiry_noted_at.is_(None))).all()
    for ad in ads:
        ad.expiry_noted_at = now   # a changed column: the session's hooks queue it
        spaces.retract_activity(path_for("ads.show", ad_id=ad.id))
    return len(ads)


# --- reports and moderation ----------------------------------------------------------------------


def _open_space():
    return spaces.ensure_open_space()


@unit_of_work
def report(ad: Ad, reason: str, *, by: User) -> AdReport:
    if not access.can_report_ad(by, ad):
        raise AdError("Vous ne pouvez pas signaler cette annonce.")
    reason = " ".join((reason or "").split())
    if not reason:
        raise AdError("Dites en quelques mots ce qui ne va pas dans cette annonce.", "reason")
    if len(reason) > 2000:
        raise AdError("Le motif est trop long (2 000 caractères au plus).", "reason")
    already = db.session.scalar(select(AdReport.id).where(
        AdReport.ad_id == ad.id, AdReport.reporter_id == by.id, AdReport.resolved_at.is_(None)))
    if already is not None:
        raise AdError("Vous avez déjà signalé cette annonce : les modérateurs vont l'examiner.")
    row = AdReport(ad=ad, reporter_id=by.id, reason=reason)
    db.session.add(row)
    notify(access.moderators_to_notify(_open_space()), "ads.report",
           f"Annonce signalée : {ad.title}", url=path_for("ads.moderation"),
           body=f"Motif : {reason}", actor=by)
    return row


def _require_moderator(by: User) -> None:
    if not access.can_moderate_ads(by):
        raise AdError("Seuls les modérateurs de l'espace ouvert peuvent faire cela.")


def _resolve_reports(ad: Ad, now: datetime) -> None:
    for row in ad.reports:
        if row.resolved_at is None:
            row.resolved_at = now


@unit_of_work
def hide(ad: Ad, *, by: User) -> None:
    """Hidden by a moderator: out of listings, feed and search; its reports are settled."""
    _require_moderator(by)
    if ad.hidden_at is not None:
        raise AdError("Cette annonce est déjà masquée.")
    now = utcnow()
    ad.hidden_at, ad.hidden_by_id = now, by.id
    _resolve_reports(ad, now)
    spaces.retract_activity(path_for("ads.show", ad_id=ad.id))
    audit.record("ad.hidden", actor=by, organisation=ad.organisation, target=f"Annonce n° {ad.id}")
    notify(answering(ad), "ads.moderated", f"Votre annonce a été masquée : {ad.title}",
           url=path_for("ads.show", ad_id=ad.id), actor=by)


@unit_of_work
def restore(ad: Ad, *, by: User) -> None:
    _require_moderator(by)
    if ad.hidden_at is None:
        raise AdError("Cette annonce n'est pas masquée.")
    ad.hidden_at = ad.hidden_by_id = None
    audit.record("ad.restored", actor=by, organisation=ad.organisation,
                 target=f"Annonce n° {ad.id}")
    notify(answering(ad), "ads.moderated", f"Votre annonce est de nouveau en ligne : {ad.title}",
           url=path_for("ads.show", ad_id=ad.id), actor=by)


@unit_of_work
def dismiss_reports(ad: Ad, *, by: User) -> None:
    """The moderators leave the ad online: its reports are settled."""
    _require_moderator(by)
    _resolve_reports(ad, utcnow())


def moderation_queue() -> list[tuple[Ad, int]]:
    """Ads with reports waiting, then hidden ones, each with its number of waiting reports."""
    waiting = (select(AdReport.ad_id, func.count(AdReport.id).label("n"))
               .where(AdReport.resolved_at.is_(None)).group_by(AdReport.ad_id).subquery())
    rows = db.session.execute(
        select(Ad, func.coalesce(waiting.c.n, 0))
        .outerjoin(waiting, waiting.c.ad_id == Ad.id)
        .where(or_(waiting.c.n > 0, Ad.hidden_at.is_not(None)))
        .options(joinedload(Ad.organisation), selectinload(Ad.reports))
        .order_by(Ad.hidden_at.is_not(None), Ad.id.desc()).limit(200)).all()
    return [(ad, n) for ad, n in rows]


# --- contact ---------------------------------------------------------------------------------------


@unit_of_work
def contact(ad: Ad, body: str, *, by: User):
    """A conversation with whoever answers for the ad, which remembers the ad; nobody's
    email address is shown to anyone."""
    if not access.can_contact_advertiser(by, ad):
        raise AdError("Vous ne pouvez pas écrire à propos de cette annonce.")
    try:
        return messaging.start_conversation_about(
            by, answering(ad), subject=f"Votre annonce : {ad.title}", body=body,
            about_url=path_for("ads.show", ad_id=ad.id), about_label=f"Petite annonce : {ad.title}")
    except messaging.MessagingError as exc:
        raise AdError(str(exc), "body") from exc


# --- reading -------------------------------------------------------------------------------------


@dataclass
class Filters:
    kind: str = ""
    category: str = ""
    commune: int | None = None      # a commune, or an EPCI (its communes)
    q: str = ""

    def args(self) -> dict:
        return {k: v for k, v in (("nature", self.kind), ("categorie", self.category),
                                  ("commune", self.commune), ("q", self.q)) if v}


@cache
def _next_expiry_statement():
    return select(func.min(Ad.expires_at)).where(access.live_ads(bindparam("now")))


def next_expiry():
    """When the first ad online now goes offline by itself (None: no ad online): until then,
    the listing changes only when an ad is written."""
    return db.session.scalar(_next_expiry_statement(), {"now": utcnow()})


def listing(user, filters: Filters):
    """The ads online that ``user`` may read, newest first."""
    # what a line of the list shows of the publisher, the place and the author (``advertiser``)
    query = (select(Ad).where(access.visible_ads(user))
             .options(joinedload(Ad.organisation).load_only(Organisation.name),
                      joinedload(Ad.commune).load_only(Organisation.name),
                      joinedload(Ad.created_by).load_only(User.first_name, User.last_name,
                                                          User.email),
                      selectinload(Ad.photos)))
    if filters.kind in {k.value for k in AdKind}:
        query = query.where(Ad.kind == AdKind(filters.kind))
    if filters.category in {c.value for c in AdCategory}:
        query = query.where(Ad.category == AdCategory(filters.category))
    if filters.commune:
        in_epci = select(Organisation.id).where(Organisation.epci_id == filters.commune)
        query = query.where(or_(Ad.commune_id == filters.commune, Ad.commune_id.in_(in_epci)))
    for word in fold(filters.q or "")[:200].split()[:10]:
        query = query.where(Ad.search_text.contains(word, autoescape=True))
    return query.order_by(Ad.published_at.desc(), Ad.id.desc())


def public_feed(limit: int = 50) -> list[Ad]:
    """Public ads online, newest first (a feed address is shared freely)."""
    return list(db.session.scalars(
        select(Ad).where(access.visible_ads(None))
        .options(joinedload(Ad.organisation), joinedload(Ad.created_by))
        .order_by(Ad.published_at.desc(), Ad.id.desc()).limit(limit)))


def mine(user) -> list[Ad]:
    """« Mes annonces »: the person's own and their organisations', every state."""
    return list(db.session.scalars(
        select(Ad).where(access.managed_ads(user))
        .options(joinedload(Ad.organisation), joinedload(Ad.created_by))
        .order_by(Ad.done_at.is_not(None), Ad.expires_at.desc(), Ad.id.desc()).limit(500)))


def commune_choices() -> tuple:
    return finder.active_of_kind(OrgKind.COMMUNE)


# The listing's pages and places are kept by each process while no ad or photo changes, no
# advertiser is renamed and no organisation changes (core/generations.py); its pages also
# until the next ad online expires (``next_expiry``).
ADS = "ads"
generations.watch(ADS, Ad)
generations.watch(ADS, AdPhoto)
generations.watch(ADS, User, columns=("first_name", "last_name", "email"))


def place_choices() -> list[tuple[int, str]]:
    """The listing's « Où ? »: each EPCI (its communes) then each commune that has an ad."""
    return list(generations.kept((ADS, ORGANISATIONS), ("places",), _places))


def _places() -> tuple[tuple[int, str], ...]:
    rows = db.session.execute(_places_statement())
    return tuple((i, f"{name} (intercommunalité)" if part == 0 else name)
                 for i, name, part in rows)


@cache
def _places_statement():
    """``place_choices``' statement, built once: the listing shows it on each page."""
    epcis = (select(Organisation.id, Organisation.name, literal(0).label("part"),
                    Organisation.name_key)
             .where(Organisation.kind == OrgKind.EPCI, Organisation.is_active.is_(True)))
    communes = (select(Organisation.id, Organisation.name, literal(1), Organisation.name_key)
                .where(Organisation.id.in_(select(Ad.commune_id)
                                           .where(Ad.commune_id.is_not(None)))))
    both = union_all(epcis, communes).subquery()
    return select(both.c.id, both.c.name, both.c.part).order_by(both.c.part, both.c.name_key)

