"""Mailing lists: creation and settings, subscriptions (double opt-in for outside addresses),
posting from the web, moderation, the archives, and the fan-out of posts and digests by the
worker. What happens to subscriptions once they exist (bounces, mass removal, a change of
address) is in ``upkeep``.

Each public function that changes something is one unit of work (``@unit_of_work``): it
commits when it returns and rolls back when it raises ``ListError``. Who may post, subscribe,
manage and moderate is decided in ``access`` (``list_posting_decision``,
``list_subscription_decision``, ``can_manage_lists``, ``can_moderate_list``,
``list_moderators_to_notify``); the services apply the decision. Posting never sends mail
itself: it stores the message and a ``FanoutJob``; the worker (``fanout.run_fanout``) expands
the job into outbox rows in batches, and the mail worker sends them.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import Integer, String, bindparam, delete, func, literal, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ..core.inputs import to_int
from ..core.text import slugify, unique_slug
from ..core.pagination import paginate
from ..core.sanitize import clean_html, known_format, to_text
from .. import access
from ..accounts.models import User
from ..core import audit, uploads
from ..core.timeutil import utcnow
from ..core.uow import unit_of_work
from ..core.urls import absolute_url, path_for
from ..extensions import db
from ..mail import services as mail
from ..notifications.services import notify, register_kind
from ..spaces.models import Space
from ..spaces.services import record_activity
from .models import (DeliveryMode, FanoutJob, FromRewrite, ListAttachment, ListBounce,
                     ListMessage, ListModerator,
                     MailingList, MessageStatus, PostingPolicy, QuarantinedMail, ReplyTo, Subscriber,
                     SubscriberStatus, SubscriptionPolicy)

log = logging.getLogger("intranet.lists")

register_kind("lists.held", "Messages de listes de diffusion en attente de modération")
register_kind("lists.subscription_request", "Demandes d'abonnement à mes listes de diffusion")
register_kind("lists.delivery_disabled", "Distribution d'une liste suspendue (adresse en erreur)")

NAME = re.compile(r"^[a-z0-9](?:[a-z0-9.\-]{0,38}[a-z0-9])?$")
RESERVED_NAMES = {"bounce", "bounces", "unsubscribe", "reply", "postmaster", "abuse", "root",
                  "mailer-daemon", "noreply", "ne-pas-repondre", "admin", "listmaster",
                  "nouvelle", "desabonnement", "confirmer"}
MESSAGE_ID = re.compile(r"^<[^<>\s@]{1,200}@[^<>\s@]{1,200}>$")
CONFIRMATION_MAX_AGE = timedelta(days=7)


class ListError(ValueError):
    """A refused change, with a French message for the person who asked."""


class MassSubscribeError(ListError):
    """Some pasted lines are not addresses: nothing was added. ``problems`` lists them."""

    def __init__(self, problems: list[str]):
        super().__init__("Aucune adresse n'a été ajoutée : corrigez les lignes suivantes.")
        self.problems = problems


# --- addresses and signed tokens ---------------------------------------------------------------


def lists_domain() -> str:
    return current_app.config["LISTS_DOMAIN"].lower()


def normalise_address(value: str) -> str:
    """A valid email address in lower case, or ListError."""
    try:
        return validate_email((value or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ListError(f"« {value.strip()[:100]} » n'est pas une adresse électronique valide.") \
            from exc


def _mac(purpose: str, *parts) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = "|".join([purpose, *map(str, parts)]).encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode().lower()


def _token(purpose: str, sub: Subscriber) -> str:
    return f"{sub.id}-{_mac(purpose, sub.id, sub.secret)}"


def subscriber_for_token(token: str, purpose: str) -> Subscriber | None:
    """The subscriber a signed token was made for (None if forged, or for a past subscription)."""
    ident, _, signature = (token or "").partition("-")
    ident = to_int(ident)
    if ident is None or not signature:
        return None
    sub = db.session.get(Subscriber, ident)
    if sub is None or not hmac.compare_digest(signature, _mac(purpose, sub.id, sub.secret)):
        return None
    return sub


def unsubscribe_token(sub: Subscriber) -> str:
    return _token("unsubscribe", sub)


def confirmation_token(sub: Subscriber) -> str:
    return _token("confirm", sub)


def bounce_address(sub: Subscriber) -> str:
    """VERP envelope sender: a bounce to it names the subscriber it was sent to."""
    return f"bounce+{_token('bounce', sub)}@{lists_domain()}"


def unsubscribe_mailto(sub: Subscriber) -> str:
    return f"unsubscribe+{unsubscribe_token(sub)}@{lists_domain()}"


def discard_address() -> str:
    """Envelope sender of our own notices: whatever comes back to it is dropped (no loop)."""
    return f"bounce@{lists_domain()}"


def _aligned_domains() -> set[str]:
    config = current_app.config
    domains = {lists_domain(), config["REPLY_DOMAIN"].lower()}
    sender = config.get("MAIL_DEFAULT_SENDER") or ""
    if "@" in sender:
        domains.add(sender.rsplit("@", 1)[1].strip(" >").lower())
    domains.update(d.lower() for d in config["LISTS_ALIGNED_DOMAINS"])
    return {d for d in domains if d}


def would_fail_dmarc(email: str) -> bool:
    """We do not sign for the sender's domain: sent as is, its From would fail DMARC alignment
    (relaxed alignment: the same organisational domain, here a sub-domain or the domain itself)."""
    domain = email.rsplit("@", 1)[-1].lower()
    return not any(domain == d or domain.endswith("." + d) or d.endswith("." + domain)
                   for d in _aligned_domains())


def one_line(text: str) -> str:
    """A header value typed by someone: one line (a line break would be a header injection)."""
    return " ".join((text or "").split())


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@{lists_domain()}>"


def valid_message_id(value: str) -> str | None:
    value = (value or "").strip()
    return value if MESSAGE_ID.match(value) else None


# --- lists ---------------------------------------------------------------------------------------


def lists_of(user, space: Space) -> list[MailingList]:
    return list(db.session.scalars(select(MailingList).where(MailingList.space_id == space.id)
                                   .order_by(MailingList.title)))


def visible_lists(user) -> list[MailingList]:
    """Every list of the spaces the person may see (the lists directory)."""
    return list(db.session.scalars(
        select(MailingList).where(MailingList.space_id.in_(access.visible_space_ids(user)))
        .options(joinedload(MailingList.space).joinedload(Space.organisation))
        .order_by(MailingList.title)))


def find_list(slug: str, name: str) -> MailingList | None:
    """The list ``name`` of the space ``slug``, with its space and its own moderators (which
    its pages ask about: ``access.can_moderate_list``)."""
    return db.session.execute(_find_list_statement(), {"slug": slug, "name": name}
                              ).unique().scalar_one_or_none()


@cache
def _find_list_statement():
    """``find_list``'s statement, built once (bound ``slug`` and ``name``): every page of a
    list runs it."""
    return (select(MailingList).join(MailingList.space)
            .where(Space.slug == bindparam("slug"), MailingList.name == bindparam("name"))
            .options(contains_eager(MailingList.space), joinedload(MailingList.moderators)))


def list_by_name(name: str) -> MailingList | None:
    return db.session.scalar(select(MailingList).where(MailingList.name == name.lower()))


def _settings(mlist: MailingList, *, title: str, description: str,
              subscription_policy, posting_policy, reply_to, from_rewrite,
              subject_prefix: str = "", bounce_threshold: int | None = None,
              max_forward_mb: float | None = None) -> None:
    if bounce_threshold is None:
        bounce_threshold = current_app.config["LISTS_BOUNCE_THRESHOLD"]
    if max_forward_mb is not None:
        if not 0 <= max_forward_mb <= 50:
            raise ListError("La taille maximale des messages envoyés avec leurs pièces jointes "
                            "doit être comprise entre 0 et 50 Mo.")
        mlist.max_forward_bytes = int(max_forward_mb * 1024 * 1024)
    elif mlist.max_forward_bytes is None:
        mlist.max_forward_bytes = current_app.config["LISTS_MAX_FORWARD_BYTES"]
    title = (title or "").strip()
    if not title:
        raise ListError("Donnez un titre à la liste.")
    if not 1 <= int(bounce_threshold) <= 100:
        raise ListError("Le seuil d'erreurs doit être compris entre 1 et 100.")
    mlist.title = title[:200]
    mlist.description = (description or "").strip()
    mlist.subscription_policy = SubscriptionPolicy(subscription_policy)
    mlist.posting_policy = PostingPolicy(posting_policy)
    mlist.reply_to = ReplyTo(reply_to)
    mlist.from_rewrite = FromRewrite(from_rewrite)
    mlist.subject_prefix = re.sub(r"[\r\n]", "", subject_prefix or "").strip()[:40]
    mlist.bounce_threshold = int(bounce_threshold)


def _address_from(title: str) -> str:
    base = slugify(title, max_length=36)
    if base in RESERVED_NAMES or base.startswith(("bounce", "reply", "unsubscribe")):
        base = f"liste-{base}"[:36].rstrip("-")
    return unique_slug(base, lambda name: db.session.scalar(
        select(func.count()).where(MailingList.name == name)) > 0)


@unit_of_work
def create_list(space: Space, *, name: str, by: User, **settings) -> MailingList:
    """A new list; without an address (the form keeps it in « Réglages avancés »), one is made
    from its title: « Secrétaires du canton » → secretaires-du-canton@…, -2 if it is taken."""
    name = (name or "").strip().lower() or _address_from(settings.get("title") or "")
    if not NAME.match(name) or ".." in name:
        raise ListError("Le nom de l'adresse ne peut contenir que des lettres minuscules sans "
                        "accent, des chiffres, des points et des tirets (40 caractères au plus).")
    if name in RESERVED_NAMES or name.startswith(("bounce+", "reply", "unsubscribe")):
        raise ListError(f"L'adresse « {name} » est réservée : choisissez-en une autre.")
    if db.session.scalar(select(func.count()).where(MailingList.name == name)):
        raise ListError(f"L'adresse {name}@{lists_domain()} est déjà prise.")
    mlist = MailingList(space=space, name=name, created_by_id=by.id)
    _settings(mlist, **settings)
    db.session.add(mlist)
    db.session.flush()
    audit.record("list.created", actor=by, organisation=space.organisation, target=mlist.address)
    return mlist


@unit_of_work
def update_list(mlist: MailingList, *, by: User, **settings) -> None:
    _settings(mlist, **settings)
    audit.record("list.updated", actor=by, organisation=mlist.space.organisation,
                 target=mlist.address)


@unit_of_work
def add_moderator(mlist: MailingList, email: str, *, by: User) -> User:
    user = db.session.scalar(select(User).where(func.lower(User.email) == normalise_address(email)))
    if user is None or not user.active:
        raise ListError("Aucun compte actif n'a cette adresse.")
    if not access.can_view(user, mlist):
        raise ListError(f"{user.full_name} n'a pas accès à l'espace de cette liste.")
    if any(m.user_id == user.id for m in mlist.moderators):
        raise ListError(f"{user.full_name} modère déjà cette liste.")
    mlist.moderators.append(ListModerator(user_id=user.id))
    audit.record("list.updated", actor=by, organisation=mlist.space.organisation,
                 target=mlist.address, detail=f"modérateur ajouté : {user.email}")
    return user


@unit_of_work
def remove_moderator(mlist: MailingList, user_id: int, *, by: User) -> None:
    for moderator in list(mlist.moderators):
        if moderator.user_id == user_id:
            mlist.moderators.remove(moderator)
    audit.record("list.updated", actor=by, organisation=mlist.space.organisation,
                 target=mlist.address, detail=f"modérateur retiré : {user_id}")


# --- subscriptions -------------------------------------------------------------------------------


def subscription_of(mlist: MailingList, user) -> Subscriber | None:
    if not access.is_signed_in(user):
        return None
    return db.session.scalar(_subscription_statement(), {
        "list_id": mlist.id, "user_id": user.id, "email": user.email.lower()})


@cache
def _subscription_statement():
    """``subscription_of``'s statement, built once (bound ``list_id``, ``user_id``, ``email``)."""
    return select(Subscriber).where(
        Subscriber.list_id == bindparam("list_id", type_=Integer),
        (Subscriber.user_id == bindparam("user_id", type_=Integer))
        | (Subscriber.email == bindparam("email", type_=String)))


def reader_facts(mlist: MailingList, user) -> tuple[Subscriber | None, int]:
    """What the list's page reads for its reader: their subscription (``subscription_of``) and
    the number of messages held for moderation (which only its moderators are shown), in one
    statement."""
    signed_in = access.is_signed_in(user)
    held, subscription = db.session.execute(_reader_facts_statement(), {
        "list_id": mlist.id, "user_id": user.id if signed_in else -1,
        "email": user.email.lower() if signed_in else ""}).first()
    return subscription, held


@cache
def _reader_facts_statement():
    """``reader_facts``'s statement, built once (bound ``list_id``, ``user_id``, ``email``):
    the count, and the subscription joined to a row of its own (none: NULL)."""
    one = select(literal(1).label("one")).subquery()
    held = (select(func.count()).where(ListMessage.list_id == bindparam("list_id", type_=Integer),
                                       ListMessage.status == MessageStatus.HELD)
            .scalar_subquery())
    return (select(held, Subscriber).select_from(one)
            .outerjoin(Subscriber, _subscription_statement().whereclause).limit(1))


def _new_subscriber(mlist: MailingList, *, email: str, user: User | None, status, delivery) -> Subscriber:
    sub = Subscriber(list_id=mlist.id, mailing_list=mlist, email=email.lower(),
                     user_id=getattr(user, "id", None), status=status,
                     delivery=DeliveryMode(delivery), secret=secrets.token_hex(16))
    if status == SubscriberStatus.ACTIVE:
        sub.confirmed_at = utcnow()
    db.session.add(sub)
    db.session.flush()
    return sub


def _applied(decision: access.Decision) -> bool:
    """Whether ``decision`` holds the request for a moderator; a refusal raises its reason
    (on the web, a sender rule « ignorer » is a refusal too: the person is in front of it)."""
    if decision.refused or decision.discarded:
        raise ListError(decision.reason)
    return decision.held


@unit_of_work
def subscribe_user(mlist: MailingList, user: User, delivery=DeliveryMode.EACH) -> Subscriber:
    """A person subscribes themself (from the list's page), as
    ``access.list_subscription_decision`` says: at once, or once a moderator accepts."""
    pending = _applied(access.list_subscription_decision(user, mlist))
    if subscription_of(mlist, user) is not None:
        raise ListError("Vous êtes déjà abonné(e) à cette liste.")
    sub = _new_subscriber(mlist, email=user.email, user=user, delivery=delivery,
                          status=SubscriberStatus.PENDING_APPROVAL if pending
                          else SubscriberStatus.ACTIVE)
    if pending:
        _tell_of_request(mlist, sub, actor=user)
    return sub


def _tell_of_request(mlist: MailingList, sub: Subscriber, actor=None) -> None:
    notify(access.list_moderators_to_notify(mlist), "lists.subscription_request",
           f"Demande d'abonnement à {mlist.address}",
           url=path_for("lists.subscribers", slug=mlist.space.slug, name=mlist.name),
           body=f"{sub.label} demande à recevoir la liste « {mlist.title} ».", actor=actor)


@unit_of_work
def request_outside_subscription(mlist: MailingList, email: str,
                                 delivery=DeliveryMode.EACH) -> None:
    """An outside address asks to subscribe (double opt-in): a confirmation link is mailed.
    The answer is the same whether or not the address was already there."""
    _applied(access.list_subscription_decision(None, mlist))
    email = normalise_address(email)
    sub = db.session.scalar(select(Subscriber).where(Subscriber.list_id == mlist.id,
                                                     Subscriber.email == email))
    if sub is None:
        sub = _new_subscriber(mlist, email=email, user=None, delivery=delivery,
                              status=SubscriberStatus.PENDING_CONFIRMATION)
    elif sub.status != SubscriberStatus.PENDING_CONFIRMATION or \
            utcnow() - sub.created_at < timedelta(minutes=10):
        return  # already subscribed, or a link was just sent: nothing more
    else:
        sub.created_at = utcnow()
    _mail_confirmation(mlist, sub)


def _mail_confirmation(mlist: MailingList, sub: Subscriber, invited_by: User | None = None) -> None:
    _queue_notice(sub.email, f"Confirmez votre abonnement à la liste « {mlist.title} »",
                  "list_confirm", mlist=mlist, invited_by=invited_by,
                  link=absolute_url("lists.confirm", token=confirmation_token(sub)),
                  days=CONFIRMATION_MAX_AGE.days)


def _queue_notice(recipient: str, subject: str, template: str, **context) -> None:
    """A notice of ours (confirmation, rejection…): never answered by auto-replies' loops."""
    context.setdefault("site_name", current_app.config["SITE_NAME"])
    body = current_app.jinja_env.get_template(f"mail/{template}.txt").render(**context)
    mail.queue_raw(recipient, subject, body,
                   headers={"Auto-Submitted": "auto-generated", "Return-Path": discard_address()})


def pending_confirmation(token: str) -> Subscriber | None:
    sub = subscriber_for_token(token, "confirm")
    if sub is None or sub.status != SubscriberStatus.PENDING_CONFIRMATION:
        return None
    if utcnow() - sub.created_at > CONFIRMATION_MAX_AGE:
        return None
    return sub


@unit_of_work
def confirm(token: str) -> Subscriber | None:
    """The confirmation link was followed (and its button pressed)."""
    sub = pending_confirmation(token)
    if sub is None:
        return None
    mlist = sub.mailing_list
    sub.confirmed_at = utcnow()
    if mlist.subscription_policy == SubscriptionPolicy.REQUEST and not sub.invited:
        sub.status = SubscriberStatus.PENDING_APPROVAL
        _tell_of_request(mlist, sub)
    else:
        sub.status = SubscriberStatus.ACTIVE
    return sub


@dataclass
class MassReport:
    added: list[str] = field(default_factory=list)
    invited: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)


@unit_of_work
def add_subscribers(mlist: MailingList, text: str, *, by: User, delivery=DeliveryMode.EACH,
                    confirm_outside: bool = True) -> MassReport:
    """Mass subscription by a manager: one address per line (« Nom <adresse> » accepted).
    People of the intranet are subscribed at once; outside addresses receive a confirmation
    link unless the manager says they need none. All or nothing: a bad line adds nobody."""
    problems, wanted = [], {}
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip().rstrip(",;")
        if not line or line.startswith("#"):
            continue
        match = re.search(r"<([^<>]+)>\s*$", line)
        candidate = match.group(1) if match else line
        try:
            email = normalise_address(candidate)
        except ListError:
            problems.append(f"Ligne {number} : « {line[:100]} » n'est pas une adresse "
                            "électronique valide.")
            continue
        wanted.setdefault(email, number)
    if not wanted and not problems:
        raise ListError("Collez au moins une adresse, une par ligne.")
    users = {u.email.lower(): u for u in db.session.scalars(
        select(User).where(func.lower(User.email).in_(list(wanted))))}
    for email, number in wanted.items():
        user = users.get(email)
        if user is not None and not user.active:
            problems.append(f"Ligne {number} : le compte {email} est désactivé.")
        elif user is not None and not access.can_view(user, mlist):
            problems.append(f"Ligne {number} : {user.full_name} ({email}) n'a pas accès à "
                            "l'espace de cette liste.")
    if problems:
        raise MassSubscribeError(problems)
    existing = set(db.session.scalars(select(Subscriber.email).where(
        Subscriber.list_id == mlist.id, Subscriber.email.in_(list(wanted)))))
    report = MassReport()
    for email in wanted:
        if email in existing:
            report.already.append(email)
            continue
        user = users.get(email)
        if user is None and confirm_outside:
            sub = _new_subscriber(mlist, email=email, user=None, delivery=delivery,
                                  status=SubscriberStatus.PENDING_CONFIRMATION)
            sub.invited = True
            _mail_confirmation(mlist, sub, invited_by=by)
            report.invited.append(email)
        else:
            _new_subscriber(mlist, email=email, user=user, delivery=delivery,
                            status=SubscriberStatus.ACTIVE)
            report.added.append(email)
    audit.record("list.mass_subscribed", actor=by, organisation=mlist.space.organisation,
                 target=mlist.address, detail=f"{len(report.added)} ajoutée(s), "
                 f"{len(report.invited)} invitée(s), {len(report.already)} déjà inscrite(s)")
    return report


@unit_of_work
def approve_subscriber(sub: Subscriber, *, by: User) -> None:
    if sub.status != SubscriberStatus.PENDING_APPROVAL:
        raise ListError("Cette demande a déjà été traitée.")
    sub.status = SubscriberStatus.ACTIVE


@unit_of_work
def remove_subscriber(sub: Subscriber, *, by: User | None = None) -> None:
    mlist = sub.mailing_list
    if by is not None:
        audit.record("list.updated", actor=by, organisation=mlist.space.organisation,
                     target=mlist.address, detail=f"abonné retiré : {sub.email}")
    db.session.delete(sub)


@unit_of_work
def set_delivery(sub: Subscriber, delivery) -> None:
    sub.delivery = DeliveryMode(delivery)
    if sub.status == SubscriberStatus.DISABLED:  # the person says their address works again
        _forget_bounces(sub)


def _forget_bounces(sub: Subscriber) -> None:
    sub.status = SubscriberStatus.ACTIVE
    sub.bounce_count, sub.bounce_score = 0, 0.0
    db.session.execute(delete(ListBounce).where(ListBounce.subscriber_id == sub.id))


@unit_of_work
def reenable(sub: Subscriber) -> None:
    _forget_bounces(sub)


@unit_of_work
def unsubscribe_by_token(token: str) -> MailingList | None:
    """One-click unsubscribe (RFC 8058): only the subscriber the token was made for."""
    sub = subscriber_for_token(token, "unsubscribe")
    if sub is None:
        return None
    mlist = sub.mailing_list
    log.info("désabonnement de %s de %s par lien", sub.email, mlist.address)
    db.session.delete(sub)
    return mlist


def subscribers(mlist: MailingList, page: int = 1, per_page: int = 100):
    return paginate(select(Subscriber).where(Subscriber.list_id == mlist.id)
                       .options(joinedload(Subscriber.user))
                       .order_by(Subscriber.status, Subscriber.email),
                       page=page, per_page=per_page)


def pending_requests(mlist: MailingList) -> list[Subscriber]:
    return list(db.session.scalars(select(Subscriber).where(
        Subscriber.list_id == mlist.id, Subscriber.status == SubscriberStatus.PENDING_APPROVAL)
        .options(joinedload(Subscriber.user)).order_by(Subscriber.created_at)))


def subscriber_counts(mlist: MailingList) -> dict[str, int]:
    rows = db.session.execute(select(Subscriber.status, func.count()).where(
        Subscriber.list_id == mlist.id).group_by(Subscriber.status)).all()
    return {SubscriberStatus(status).value: count for status, count in rows}


# --- posting -------------------------------------------------------------------------------------


@unit_of_work
def post_from_web(mlist: MailingList, user: User, *, subject: str, body: str,
                  body_format: str = "text", parent: ListMessage | None = None) -> ListMessage:
    """A message written on the site: plain text, or HTML from the editor (archived as
    sanitised HTML; its text is what the subscribers receive and what search finds)."""
    subject, body = one_line(subject), (body or "").strip()
    html = ""
    if known_format(body_format) == "html":
        html = clean_html(body)
        body = to_text(html)
    if parent is not None and not subject:
        subject = parent.subject if parent.subject.lower().startswith("re:") \
            else f"Re: {parent.subject}"
    if not subject or not body:
        raise ListError("Le message doit avoir un objet et un texte.")
    decision = access.list_posting_decision(user, mlist, user.email)
    _applied(decision)
    references = ""
    if parent is not None:
        references = " ".join((parent.references.split() + [parent.message_id])[-20:])
    message = ListMessage(list_id=mlist.id, mailing_list=mlist, message_id=new_message_id(),
                          in_reply_to=parent.message_id if parent else "",
                          references=references, subject=subject[:300],
                          sender_email=user.email.lower(), sender_name=user.full_name[:200],
                          author_id=user.id, body_text=body, body_html=html, source="web")
    return store_post(message, decision, actor=user)


@unit_of_work
def store_post(message: ListMessage, decision: access.Decision,
               actor: User | None = None) -> ListMessage:
    """Archive and send (accepted), or hold for the moderators (held), as
    ``access.list_posting_decision`` said; a refusal raises its reason."""
    held = _applied(decision)
    db.session.add(message)
    if not held:
        _publish(message, actor=actor)
    else:
        message.status = MessageStatus.HELD
        db.session.flush()
        mlist = message.mailing_list
        notify(access.list_moderators_to_notify(mlist), "lists.held",
               f"Message en attente de modération sur {mlist.address}",
               url=path_for("lists.moderation", slug=mlist.space.slug, name=mlist.name),
               body=f"De : {message.sender_label} <{message.sender_email}>\n"
                    f"Objet : {message.subject}", actor=actor)
    return message


@unit_of_work
def post_from_mail(message: ListMessage, decision: access.Decision, files=(),
                   actor: User | None = None) -> ListMessage:
    """A post received by mail, with its attached files: those ``core/uploads`` accepts (size,
    type, content matching the type) are kept in the archive; the others are only named in
    the message's note. Then as ``store_post``."""
    refused = []
    for position, sent in enumerate(files):
        if uploads.acceptable(sent.data, sent.filename):
            stored = uploads.store(sent.data, sent.filename, by=actor)
            message.attachments.append(ListAttachment(file=stored, position=position))
        else:
            refused.append(f"{uploads.clean_filename(sent.filename)} "
                           f"({max(1, len(sent.data) // 1024)} Ko)")
    if refused:
        message.attachments_note = ("Pièces jointes non conservées (type ou taille non "
                                    "acceptés) : " + ", ".join(refused))
    return store_post(message, decision, actor=actor)


def attachment_of(mlist: MailingList, attachment_id: int) -> ListAttachment | None:
    """An attachment of a published message of this list (what the archive shows)."""
    return db.session.scalar(select(ListAttachment).join(ListMessage).where(
        ListAttachment.id == attachment_id, ListMessage.list_id == mlist.id,
        ListMessage.status == MessageStatus.PUBLISHED))


def _find_parent(message: ListMessage) -> ListMessage | None:
    """The archived message this one answers: In-Reply-To first, then References (nearest
    first), within the same list."""
    candidates = [message.in_reply_to] + list(reversed(message.references.split()))
    candidates = [c for c in dict.fromkeys(candidates) if c][:30]
    if not candidates:
        return None
    found = {m.message_id: m for m in db.session.scalars(select(ListMessage).where(
        ListMessage.list_id == message.list_id, ListMessage.status == MessageStatus.PUBLISHED,
        ListMessage.message_id.in_(candidates), ListMessage.id != message.id))}
    return next((found[c] for c in candidates if c in found), None)


def _publish(message: ListMessage, actor: User | None = None) -> None:
    message.status = MessageStatus.PUBLISHED
    message.published_at = utcnow()
    db.session.flush()
    parent = _find_parent(message)
    message.parent_id = parent.id if parent else None
    message.thread_id = (parent.thread_id or parent.id) if parent else message.id
    mlist = message.mailing_list
    db.session.add(FanoutJob(list_id=mlist.id, message_id=message.id, kind="post"))
    record_activity(mlist.space, "list_post", f"{mlist.title} : {message.subject}",
                    actor=actor or message.author,
                    url=path_for("lists.thread", slug=mlist.space.slug, name=mlist.name,
                                 thread_id=message.thread_id))


def held_messages(mlist: MailingList) -> list[ListMessage]:
    return list(db.session.scalars(select(ListMessage).where(
        ListMessage.list_id == mlist.id, ListMessage.status == MessageStatus.HELD)
        .order_by(ListMessage.created_at)))


def quarantined(mlist: MailingList, limit: int = 20) -> list[QuarantinedMail]:
    """The latest mail for this list the listener could not read, with the reason."""
    return list(db.session.scalars(select(QuarantinedMail).where(
        QuarantinedMail.list_id == mlist.id).order_by(QuarantinedMail.created_at.desc())
        .limit(limit)))


@unit_of_work
def approve(message: ListMessage, *, by: User) -> None:
    if message.status != MessageStatus.HELD:
        raise ListError("Ce message a déjà été traité.")
    message.moderated_by_id = by.id
    _publish(message)


@unit_of_work
def reject(message: ListMessage, *, by: User, reason: str) -> None:
    """Refuse a held post; the reason is mailed to its sender (never to an automatic one)."""
    reason = (reason or "").strip()
    if message.status != MessageStatus.HELD:
        raise ListError("Ce message a déjà été traité.")
    if not reason:
        raise ListError("Indiquez la raison du refus : elle est envoyée à l'expéditeur.")
    message.status = MessageStatus.REJECTED
    message.moderated_by_id = by.id
    message.reject_reason = reason
    mlist = message.mailing_list
    _queue_notice(message.sender_email, f"Votre message à {mlist.address} n'a pas été diffusé",
                  "list_rejected", mlist=mlist, message=message, reason=reason)


# --- archives ------------------------------------------------------------------------------------


def threads(mlist: MailingList, page: int = 1, per_page: int = 30):
    """The archive's threads, most recently active first: (first message, count, last date)."""
    page_of_threads, counted = _threads_statements()
    found = db.session.execute(page_of_threads, {
        "list_id": mlist.id, "limit": per_page, "offset": (page - 1) * per_page}).all()
    # the number of threads comes with the page's rows; counted alone past the last page
    total = found[0][3] if found else 0 if page <= 1 else db.session.scalar(
        counted, {"list_id": mlist.id})
    return [row[:3] for row in found], total


@cache
def _threads_statements():
    """``threads``' statements, built once (bound ``list_id``, ``limit``, ``offset``): a page
    of threads with their count of messages, their last date and the number of threads; the
    number of threads alone."""
    stats = (select(ListMessage.thread_id.label("thread_id"), func.count().label("count"),
                    func.max(ListMessage.published_at).label("last"))
             .where(ListMessage.list_id == bindparam("list_id", type_=Integer),
                    ListMessage.status == MessageStatus.PUBLISHED)
             .group_by(ListMessage.thread_id).subquery())
    query = (select(ListMessage, stats.c.count, stats.c.last, func.count().over())
             .join(stats, stats.c.thread_id == ListMessage.id)
             .order_by(stats.c.last.desc(), ListMessage.id.desc())
             .limit(bindparam("limit", type_=Integer))
             .offset(bindparam("offset", type_=Integer)))
    return query, select(func.count()).select_from(stats)


def thread_messages(mlist: MailingList, thread_id: int) -> list[ListMessage]:
    return list(db.session.scalars(_thread_statement(), {"list_id": mlist.id,
                                                          "thread_id": thread_id}))


@cache
def _thread_statement():
    """``thread_messages``' statement, built once (bound ``list_id`` and ``thread_id``)."""
    return (select(ListMessage).where(
        ListMessage.list_id == bindparam("list_id", type_=Integer),
        ListMessage.thread_id == bindparam("thread_id", type_=Integer),
        ListMessage.status == MessageStatus.PUBLISHED)
        .options(selectinload(ListMessage.attachments))
        .order_by(ListMessage.published_at, ListMessage.id))
