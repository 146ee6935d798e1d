"""Internal messaging: addressing (people, or a group resolved when the message is sent),
sending and replying (on the web and by email), read state, archive, leaving, search.

Each public function that changes something is one unit of work (``@unit_of_work``): it
commits when it returns; refused input raises ``MessagingError`` (French message), the unit
rolls back and leaves nothing behind (files stored for the message included). Who reads a
conversation and whose members one may write to is decided in ``access``
(``can_read_conversation``, ``readable_participations``, ``can_address_space``,
``addressable_spaces``)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app
from markupsafe import escape

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ..core.inputs import to_int
from ..core.pagination import paginate
from .. import access
from ..accounts.models import Membership, Organisation, User
from ..core.types import Role
from ..accounts import finder
from ..accounts.services import find_user
from ..core import uploads
from ..core.models import StoredFile
from ..mail.replies import ReplyRefused, register_handler, reply_address
from ..core.sanitize import source_and_html, to_text
from ..core.text import collation_key, french_sorted
from ..core.timeutil import utcnow
from ..core.uow import unit_of_work
from ..core.urls import path_for
from ..extensions import db
from ..notifications.services import notify, register_kind
from ..search import services as search
from ..search.backends import SearchRequest
from ..spaces.models import Space
from .models import (Conversation, ConversationAttachment, ConversationMessage,
                     ConversationParticipant)

KIND = "message.new"
REPLY_KIND = "conversation"
MAX_BODY = 100_000
MAX_FILES = 10
PER_PAGE = 30

register_kind(KIND, "Nouveaux messages et réponses dans mes conversations")


class MessagingError(ValueError):
    """Refused input, with a French message; nothing was stored. ``field`` names the form
    field the message is about (to, subject, body, files), when there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- addressing -------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[,;\n]+")
# « Nom <adresse> », or « Nom <#12> » for a person chosen in the directory whose address is not
# shown to the writer (``recipient_line``).
_BRACKETED = re.compile(r"<\s*([^<>\s]+@[^<>\s]+|#\d{1,9})\s*>")
ADMINS, SPACE = "admins", "espace"


def group_choices(user) -> dict:
    """The spaces a person may write to all the members of, for the select of the form, in
    French order. (An organisation's administrators are chosen in the recipients' finder.)"""
    spaces = french_sorted(db.session.execute(
        select(Space.id, Space.name).where(Space.id.in_(access.addressable_spaces(user)))).all(),
        key=lambda row: row.name)
    choices: dict = {"": "Aucun espace"}
    choices.update({f"{SPACE}:{ident}": f"Membres — {name}" for ident, name in spaces})
    return choices


def chosen_organisations(user, ids) -> list[Organisation]:
    """The organisations (by id) whose administrators ``user`` may write to, in French order;
    others are left out."""
    ids = [ident for ident in (to_int(raw) for raw in ids or ()) if ident is not None][:50]
    if not ids:
        return []
    return list(db.session.scalars(
        select(Organisation).where(Organisation.id.in_(ids),
                                   Organisation.id.in_(access.addressable_organisations(user)))
        .order_by(Organisation.name_key)))


def find_recipients(user, text: str, limit: int = finder.LIMIT) -> tuple[list[Organisation],
                                                                        list[User]]:
    """What « Destinataires » finds for a few letters: the organisations ``user`` may write to
    (their administrators) and the people they may write to by name (``access``), accents and
    case ignored, closest first then in French order; ``limit`` in all."""
    words = finder.words_of(text)
    if len("".join(words)) < finder.MIN_LETTERS:
        return [], []
    organisations = finder.find_organisations(text, access.addressable_organisations(user),
                                              limit=limit)
    email = (text or "").strip().lower()[:254]
    people = list(db.session.scalars(
        select(User).where(User.id.in_(access.addressable_people(user)), User.id != user.id,
                           or_(and_(*finder.name_matches(User.name_key, words)),
                               func.lower(User.email).contains(email, autoescape=True)))
        .options(selectinload(User.memberships).joinedload(Membership.organisation))
        .order_by(finder.closeness(User.name_key, words), User.name_key, User.id)
        .limit(limit)))
    # Half each when both have more, the rest to whichever has fewer.
    half = max(limit - len(people), limit // 2)
    organisations = organisations[:half]
    return organisations, people[:limit - len(organisations)]


def person_detail(user: User) -> str:
    return ", ".join(french_sorted((m.organisation.name for m in user.memberships)))


def resolve_group(sender: User, key: str) -> tuple[list[User], str]:
    """The people a group means *now* (active accounts only), and how to name it: the
    administrators of an organisation (« admins:<id> ») or the members of a space
    (« espace:<id> »)."""
    kind, _, ident = (key or "").partition(":")
    ident = to_int(ident)
    if kind not in (ADMINS, SPACE) or ident is None:
        raise MessagingError("Ce groupe de destinataires n'existe pas.", "group")
    if kind == ADMINS:
        org = db.session.get(Organisation, ident)
        if org is None or not access.can_address_organisation(sender, org):
            raise MessagingError("Cette organisation n'existe pas, n'est plus active ou n'a pas "
                                 "d'administrateur à qui écrire.", "group")
        people = db.session.scalars(
            select(User).join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == org.id, Membership.role == Role.ADMIN,
                   User.active.is_(True))).all()
        return list(people), f"Administrateurs de « {org.name} »"
    space = db.session.get(Space, ident)
    if space is None or not access.can_address_space(sender, space):
        raise MessagingError("Cet espace n'existe pas, ou vous ne pouvez pas écrire à ses membres.",
                             "group")
    return list(db.session.scalars(access.space_members(space))), \
        f"Membres de l'espace « {space.name} »"


def _named(name: str) -> list[User]:
    wanted = " ".join(name.lower().split())
    return list(db.session.scalars(select(User).where(or_(
        User.name_key == collation_key(name),
        func.lower(User.first_name + " " + User.last_name) == wanted,
        func.lower(User.last_name + " " + User.first_name) == wanted)).limit(5)))


def resolve_people(typed: str, sender: User) -> list[User]:
    """People typed by email address or by name (« Prénom Nom », « Nom Prénom »,
    « Prénom Nom <adresse> »), separated by commas, semicolons or lines — each one someone
    ``sender`` may write to (``access.can_address_person``)."""
    people, problems = [], []
    for token in _SEPARATORS.split(typed or ""):
        token = token.strip()
        if not token:
            continue
        bracketed = _BRACKETED.search(token)
        email = bracketed.group(1) if bracketed else (token if "@" in token else None)
        if email:
            user = db.session.get(User, int(email[1:])) if email.startswith("#") \
                else find_user(email)
            if user is None:
                problems.append("Cette personne n'est plus dans l'annuaire." if
                                email.startswith("#") else
                                f"Personne n'a l'adresse « {email} » dans l'annuaire.")
                continue
            candidates = [user]
        else:
            candidates = _named(token)
            if not candidates:
                problems.append(f"Personne ne s'appelle « {token} » dans l'annuaire : "
                                "cherchez-la avec « Chercher » ou indiquez son adresse "
                                "électronique.")
                continue
        active = [user for user in candidates if user.active]
        if not active:
            problems.append(f"Le compte de {candidates[0].full_name} est désactivé : "
                            "on ne peut plus lui écrire.")
        elif len(active) > 1:
            problems.append(f"Plusieurs personnes s'appellent « {token} » : indiquez plutôt "
                            "son adresse électronique.")
        elif active[0].id != sender.id and not access.can_address_person(sender, active[0]):
            problems.append(f"Vous ne pouvez pas écrire directement à {active[0].full_name} : "
                            "vous n'avez ni organisation ni groupe en commun. Écrivez aux "
                            "administrateurs de son organisation (cherchez-la dans "
                            "« Destinataires »).")
        else:
            people.append(active[0])
    if problems:
        raise MessagingError(" ".join(problems), "to")
    return people


def recipient_line(user: User, writer=None) -> str:
    """How a person chosen in the directory is written in the « Destinataires » field: with
    their address when ``writer`` may read it (``access.directory_details``), else with their
    directory number, so that a hidden address is never shown."""
    name = " ".join(re.sub(r"[,;<>]", " ", user.full_name).split())
    if writer is not None and not access.directory_details(writer, user).email:
        return f"{name} <#{user.id}>"
    return f"{name} <{user.email}>"


# --- sending ----------------------------------------------------------------------------------


def _clean_body(body: str, body_format: str = "text") -> tuple[str, str]:
    """(source, sanitised HTML) of a message written in the editor ("html") or as plain text."""
    body = (body or "").strip()
    if len(body) > MAX_BODY:
        raise MessagingError("Le message est trop long (100 000 caractères au plus).", "body")
    source, html, _format = source_and_html(body, body_format)
    if not body or not to_text(html):
        raise MessagingError("Le message est vide : écrivez quelque chose avant d'envoyer.", "body")
    return source, html


def _store_files(files, by: User) -> list:
    """Files sent now as (data, name), or pending files kept from a refused form
    (``StoredFile``, taken as they are: ``core/pending.py``)."""
    files = [item for item in files or () if isinstance(item, StoredFile) or item[1]]
    if len(files) > MAX_FILES:
        raise MessagingError(f"{MAX_FILES} pièces jointes au plus par message.", "files")
    stored = []
    try:
        for item in files:
            stored.append(uploads.take(item, by=by))
    except uploads.UploadError as exc:  # the unit of work's rollback removes the files written
        raise MessagingError(str(exc), "files") from exc
    return stored


def _post(conversation: Conversation, author: User, body: tuple[str, str], stored, *,
          via_email: bool, first: bool, system: bool = False) -> ConversationMessage:
    source, html = body
    message = ConversationMessage(conversation=conversation, author_id=author.id,
                                  body_source=source, body_html=html, via_email=via_email,
                                  is_system=system)
    db.session.add(message)
    for file in stored:
        db.session.add(ConversationAttachment(message=message, file=file))
    if first:
        conversation.message_count = 1
    else:
        conversation.message_count = Conversation.message_count + 1  # atomic in SQL
        conversation.last_message_at = utcnow()
        # An archived conversation comes back to everyone's inbox when someone writes in it.
        db.session.execute(update(ConversationParticipant)
                           .where(ConversationParticipant.conversation_id == conversation.id,
                                  ConversationParticipant.archived_at.is_not(None))
                           .values(archived_at=None))
    db.session.flush()
    return message


def _notify_others(conversation: Conversation, message: ConversationMessage, author: User,
                   *, first: bool) -> None:
    """Only the conversation's participants (who have not left) hear of it, each with a reply
    address of their own; the mail carries the text only for those who accept it."""
    others = db.session.scalars(
        select(User).join(ConversationParticipant, ConversationParticipant.user_id == User.id)
        .where(ConversationParticipant.conversation_id == conversation.id,
               ConversationParticipant.left_at.is_(None), User.active.is_(True),
               User.id != author.id)).all()
    title = (f"{author.full_name} vous a écrit" if first
             else f"{author.full_name} a répondu dans une conversation")
    url = path_for("messaging.show", conversation_id=conversation.id) + f"#message-{message.id}"
    body = f"Objet : {conversation.subject}\n\n{to_text(message.body_html)}"
    names = [a.file.original_name for a in message.attachments]
    if names:
        body += "\n\nPièces jointes (à télécharger sur le site) : " + ", ".join(names)
    for user in others:
        notify([user], KIND, title, url=url, body=body, actor=author,
               reply_to=reply_address(user, REPLY_KIND, conversation.id))


@unit_of_work
def start_conversation(sender: User, *, to: str = "", group: str = "", organisations=(),
                       subject: str, body: str, body_format: str = "text",
                       files=()) -> Conversation:
    """A new conversation with the people typed, the administrators of the ``organisations``
    (ids) and/or everyone a group means right now."""
    subject = " ".join((subject or "").split())
    if not subject:
        raise MessagingError("Indiquez l'objet du message.", "subject")
    body = _clean_body(body, body_format)
    people = resolve_people(to, sender)
    audiences = []
    for key in [f"{ADMINS}:{ident}" for ident in organisations or ()] + ([group] if group else []):
        members, audience = resolve_group(sender, key)
        people += members
        audiences.append(audience)
    audience = " ; ".join(audiences)
    if len(audience) > 300:
        audience = audience[:298] + " …"
    recipients = {user.id: user for user in people if user.id != sender.id}
    if not recipients:
        if people or audiences:
            raise MessagingError("Ces destinataires ne comptent personne d'autre que vous.", "to")
        raise MessagingError("Indiquez au moins un destinataire : une personne, une "
                             "organisation ou un espace.", "to")
    return _open(sender, list(recipients.values()), subject=subject, audience=audience,
                 body=body, stored=_store_files(files, sender))


def _open(sender: User, recipients: list[User], *, subject: str, audience: str = "",
          body: tuple[str, str], stored=(), about_url: str = "",
          about_label: str = "") -> Conversation:
    conversation = Conversation(subject=subject[:200], audience=audience[:300],
                                created_by_id=sender.id, about_url=about_url[:300],
                                about_label=about_label[:200])
    db.session.add(conversation)
    for user in [sender, *recipients]:
        db.session.add(ConversationParticipant(conversation=conversation, user_id=user.id,
                                               read_count=1 if user.id == sender.id else 0))
    message = _post(conversation, sender, body, stored, via_email=False, first=True)
    _notify_others(conversation, message, sender, first=True)
    return conversation


@unit_of_work
def start_conversation_about(sender: User, recipients: list[User], *, subject: str, body: str,
                             about_url: str, about_label: str) -> Conversation:
    """A conversation with ``recipients`` (chosen by the calling domain, e.g. whoever answers
    for an ad) about something of the site, which the conversation's page links to. Nobody's
    email address is shown or needed: the recipients hear of it through their notifications."""
    subject = " ".join((subject or "").split())
    if not subject:
        raise MessagingError("Indiquez l'objet du message.", "subject")
    body = _clean_body(body)
    people = {user.id: user for user in recipients
              if user.active and user.id != sender.id and access.can_address_person(sender, user)}
    if not people:
        raise MessagingError("Personne ne peut recevoir ce message pour le moment.", "body")
    return _open(sender, list(people.values()), subject=subject, body=body,
                 about_url=about_url, about_label=about_label)


@unit_of_work
def reply(participant: ConversationParticipant, body: str, files=(), *,
          body_format: str = "text", via_email: bool = False) -> ConversationMessage:
    """A message in the conversation, by this participant (who has read it all, then)."""
    if participant.left_at is not None:
        raise MessagingError("Vous avez quitté cette conversation : vous ne pouvez plus y écrire.")
    author = participant.user
    body = _clean_body(body, body_format)
    stored = _store_files(files, author)
    conversation = participant.conversation
    message = _post(conversation, author, body, stored, via_email=via_email, first=False)
    participant.read_count = conversation.message_count
    _notify_others(conversation, message, author, first=False)
    return message


# --- reading ------------------------------------------------------------------------------------


def participation(user, conversation_id: int) -> ConversationParticipant | None:
    """The person's place in a conversation, if they may read it (else None: answer 404)."""
    if not access.is_signed_in(user):
        return None
    # the conversation with all its participants and their accounts, in one statement: the
    # page shows them (``open_thread``)
    conversation = db.session.scalars(
        select(Conversation).where(Conversation.id == conversation_id)
        .options(joinedload(Conversation.participants).joinedload(ConversationParticipant.user))
    ).unique().one_or_none()     # every row read: the participants are all of them
    if conversation is None:
        return None
    participant = None
    for each in conversation.participants:
        # each participant holds its conversation (the session keeps it only while it is held)
        set_committed_value(each, "conversation", conversation)
        if each.user_id == user.id:
            participant = each
    return participant if access.can_read_conversation(user, participant) else None


@dataclass
class Thread:
    conversation: Conversation
    participant: ConversationParticipant
    messages: list[ConversationMessage]
    participants: list[ConversationParticipant]
    first_new: int | None         # id of the first message not read before this visit
    # Who has read each message (message id → people), in small conversations only; None
    # when the conversation is too large for read receipts.
    read_by: dict[int, list[User]] | None = None


@unit_of_work
def mark_read(participant: ConversationParticipant) -> int:
    """Everything in the conversation counts as read by this participant; returns how many
    messages they had read before."""
    previously_read = participant.read_count
    participant.read_count = participant.conversation.message_count
    return previously_read


def _read_receipts(messages: list[ConversationMessage], hidden: int,
                   participants: list[ConversationParticipant]) -> dict[int, list[User]]:
    """Who has read each message: a participant has read the first ``read_count`` messages of
    the conversation, so the message at position ``i`` is read by those whose ``read_count``
    is above ``i`` — among those who see it, its author apart."""
    readers = [p for p in participants if p.left_at is None]
    result = {}
    for position, message in enumerate(messages, start=hidden):
        if message.is_system or message.deleted_at is not None:
            continue
        result[message.id] = [p.user for p in readers
                              if p.user_id != message.author_id and p.sees(message)
                              and p.read_count > position]
    return result


def open_thread(participant: ConversationParticipant) -> Thread:
    """The conversation as this participant reads it (``access.visible_messages``: from the
    moment they were added, if added without the history), marked as read (``mark_read``, its
    own unit of work, done first: the messages are loaded after its commit); a fixed number of
    queries whatever its size."""
    conversation = participant.conversation
    previously_read = participant.read_count
    if previously_read != conversation.message_count:
        mark_read(participant)
    participants = list(conversation.participants)   # read with it (``participation``)
    # the authors are participants (who stay so after leaving): each message finds its author
    # among them without a statement; its files are read with it
    messages = list(db.session.scalars(
        select(ConversationMessage).where(access.visible_messages(participant))
        .options(joinedload(ConversationMessage.attachments)
                 .joinedload(ConversationAttachment.file))
        .order_by(ConversationMessage.id)).unique())
    # The messages before those shown (hidden from a person added without the history) count
    # in the read positions.
    hidden = conversation.message_count - len(messages)
    unread = messages[max(previously_read - hidden, 0):]
    active = sum(1 for p in participants if p.left_at is None)
    return Thread(conversation=conversation, participant=participant, messages=messages,
                  participants=participants, first_new=unread[0].id if unread else None,
                  read_by=_read_receipts(messages, hidden, participants)
                  if access.shows_read_receipts(active) else None)


def inbox(user: User, *, archived: bool = False, page: int = 1):
    """My conversations (current or archived), the most recently active first."""
    query = (select(ConversationParticipant).join(ConversationParticipant.conversation)
             .where(access.readable_participations(user),
                    ConversationParticipant.archived_at.is_not(None) if archived
                    else ConversationParticipant.archived_at.is_(None))
             .options(contains_eager(ConversationParticipant.conversation)
                      .selectinload(Conversation.participants)
                      .joinedload(ConversationParticipant.user))
             .order_by(Conversation.last_message_at.desc(), Conversation.id.desc()))
    return paginate(query, page=page, per_page=PER_PAGE)


def unread_query(user_id):
    """SELECT of the number of conversations of a signed-in person's inbox (``user_id``: their
    id, or a bound parameter) with messages they have not read: the header's counter."""
    return (select(func.count()).select_from(ConversationParticipant)
            .join(Conversation, Conversation.id == ConversationParticipant.conversation_id)
            .where(access.participations_readable_by(user_id),
                   ConversationParticipant.archived_at.is_(None),
                   Conversation.message_count > ConversationParticipant.read_count))


def unread_count(user: User) -> int:
    """Conversations of my inbox with messages I have not read (one COUNT)."""
    return db.session.scalar(unread_query(user.id)) if access.is_signed_in(user) else 0


def attachment(participant: ConversationParticipant, attachment_id: int):
    """An attachment of a message this participant reads (None for any other)."""
    return db.session.scalar(
        select(ConversationAttachment)
        .join(ConversationMessage, ConversationMessage.id == ConversationAttachment.message_id)
        .where(ConversationAttachment.id == attachment_id,
               access.visible_messages(participant))
        .options(joinedload(ConversationAttachment.file)))


def search_messages(user: User, text: str, page: int = 1, per_page: int = 20):
    """Search in my messages only (raises search.QueryError for a query that can't run)."""
    return search.query(user, SearchRequest(text=text, types=["message"], sort="date",
                                            page=max(page, 1), per_page=per_page))


# --- adding people, changing and deleting one's messages -------------------------------------


def _names(people: list[User]) -> str:
    names = [p.full_name for p in french_sorted(people, key=lambda p: p.full_name)]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]


@unit_of_work
def add_people(participant: ConversationParticipant, typed: str, *,
               whole_history: bool) -> list[User]:
    """Add the people typed (as in « Destinataires ») to the conversation: each must be someone
    the participant may write to. They read its whole history, or, if ``whole_history`` is
    false, the messages from now on. A line « X a ajouté Y » is written in the conversation and
    the people added are notified as of a new message."""
    if participant.left_at is not None:
        raise MessagingError("Vous avez quitté cette conversation : vous ne pouvez plus y "
                             "ajouter personne.")
    adder = participant.user
    conversation = participant.conversation
    current = {p.user_id: p for p in conversation.participants}
    added: dict[int, User] = {}
    for person in resolve_people(typed, adder):
        row = current.get(person.id)
        if person.id == adder.id or (row is not None and row.left_at is None):
            continue
        if not access.can_add_to_conversation(adder, participant, person):
            raise MessagingError(f"Vous ne pouvez pas ajouter {person.full_name} à cette "
                                 "conversation.", "to")
        added[person.id] = person
    if not added:
        raise MessagingError("Indiquez au moins une personne qui ne participe pas encore à la "
                             "conversation.", "to")
    people = list(added.values())
    # Nobody shares more of the history than they read themselves.
    shared_from = participant.visible_from_id
    if not whole_history:
        reach = ", à partir de ce message."
    elif shared_from is None:
        reach = ", avec tout l'historique."
    else:
        reach = f", avec l'historique depuis l'arrivée de {adder.full_name}."
    line = f"{adder.full_name} a ajouté {_names(people)} à la conversation{reach}"
    message = _post(conversation, adder, (line, f"<p>{escape(line)}</p>"), [],
                    via_email=False, first=False, system=True)
    before = conversation.message_count - 1      # the messages before this line
    for person in people:
        row = current.get(person.id)
        if row is None:
            row = ConversationParticipant(conversation=conversation, user_id=person.id)
            db.session.add(row)
        row.left_at = row.archived_at = None
        row.joined_at = utcnow()
        row.visible_from_id = shared_from if whole_history else message.id
        row.read_count = 0 if whole_history else before
    participant.read_count = conversation.message_count
    db.session.flush()
    if whole_history:
        for earlier in db.session.scalars(select(ConversationMessage).where(
                ConversationMessage.conversation_id == conversation.id)):
            search.index(earlier)  # its readers changed
    url = path_for("messaging.show", conversation_id=conversation.id) + "#nouveaux"
    for person in people:
        notify([person], KIND, f"{adder.full_name} vous a ajouté à une conversation", url=url,
               body=f"Objet : {conversation.subject}\n\n{line}", actor=adder,
               reply_to=reply_address(person, REPLY_KIND, conversation.id))
    return people


def message_of(participant: ConversationParticipant, message_id: int) -> ConversationMessage | None:
    """A message the participant reads (None for any other)."""
    return db.session.scalar(select(ConversationMessage).where(
        ConversationMessage.id == message_id, access.visible_messages(participant))
        .options(selectinload(ConversationMessage.attachments)
                 .joinedload(ConversationAttachment.file)))


def message_position(message: ConversationMessage) -> int:
    """The message's rank in its conversation (1 for the first), as its edit page names it."""
    return db.session.scalar(select(func.count()).select_from(ConversationMessage).where(
        ConversationMessage.conversation_id == message.conversation_id,
        ConversationMessage.id <= message.id))


def _check_change(participant: ConversationParticipant, message: ConversationMessage) -> None:
    user = participant.user
    if not access.is_own_message(user, participant, message):
        raise MessagingError("Vous ne pouvez modifier ou supprimer que vos propres messages.")
    if not access.can_change_message(user, participant, message):
        minutes = current_app.config["MESSAGE_EDIT_MINUTES"]
        raise MessagingError(f"Un message ne peut être modifié ou supprimé que dans les "
                             f"{minutes} minutes qui suivent son envoi : ce délai est passé.")


@unit_of_work
def edit_message(participant: ConversationParticipant, message: ConversationMessage, body: str,
                 *, body_format: str = "text") -> None:
    """Change one's message (within ``MESSAGE_EDIT_MINUTES``); the others see it « modifié »
    and the index follows."""
    _check_change(participant, message)
    message.body_source, message.body_html = _clean_body(body, body_format)
    message.edited_at = utcnow()


@unit_of_work
def delete_message(participant: ConversationParticipant, message: ConversationMessage) -> None:
    """Delete one's message (within ``MESSAGE_EDIT_MINUTES``): its text and attachments go,
    its place stays (« message supprimé »), and it leaves the index."""
    _check_change(participant, message)
    files = [a.file for a in message.attachments]
    message.attachments.clear()
    for stored in files:
        db.session.delete(stored)
    uploads.discard_after_commit(files)
    message.body_source = message.body_html = ""
    message.deleted_at = utcnow()


# --- read state, archive, leaving -------------------------------------------------------------


@unit_of_work
def mark_unread(participant: ConversationParticipant) -> None:
    """The last message shows as new again (and the conversation counts as unread)."""
    participant.read_count = max(participant.conversation.message_count - 1, 0)


@unit_of_work
def archive(participant: ConversationParticipant) -> None:
    participant.archived_at = utcnow()


@unit_of_work
def unarchive(participant: ConversationParticipant) -> None:
    participant.archived_at = None


@unit_of_work
def leave(participant: ConversationParticipant) -> None:
    """Leave for good: no more access, mail or search hits; the others keep the history."""
    participant.left_at = utcnow()
    participant.archived_at = None
    for message in db.session.scalars(select(ConversationMessage).where(
            ConversationMessage.conversation_id == participant.conversation_id)):
        search.index(message)  # its readers changed


# --- reply by email -------------------------------------------------------------------------------


def _email_attachments(message) -> tuple[list[tuple[bytes, str]], list[str]]:
    """Attachments of a reply received by email that we accept, and the names of the others
    (a signature's logo must not make the whole reply fail)."""
    kept, skipped = [], []
    if message is None or not hasattr(message, "iter_attachments"):
        return kept, skipped
    try:
        parts = list(message.iter_attachments())
    except Exception:  # broken MIME: the text alone is kept
        return kept, skipped
    for part in parts:
        name = uploads.clean_filename(part.get_filename() or "")
        try:
            data = part.get_payload(decode=True) or b""
        except Exception:
            data = b""
        if not uploads.acceptable(data, name):
            skipped.append(name)
        else:
            kept.append((data, name))
    return kept[:MAX_FILES], skipped + [name for _, name in kept[MAX_FILES:]]


def reply_by_email(user: User, conversation_id: int, text: str, message=None) -> None:
    """The reply handler of ``mail.replies``: the text (quotes already trimmed) is added to
    the conversation as the person the mail was sent to — if they still take part in it."""
    participant = participation(user, conversation_id)
    if participant is None:
        raise ReplyRefused("vous ne participez pas (ou plus) à cette conversation")
    files, skipped = _email_attachments(message)
    if skipped:
        text += "\n\n(Pièces jointes non retenues : " + ", ".join(
            f"« {name} »" for name in skipped) + ".)"
    try:
        reply(participant, text, files, via_email=True)
    except MessagingError as exc:
        raise ReplyRefused(str(exc)) from exc


register_handler(REPLY_KIND, reply_by_email)
