"""Messaging, within a conversation: which of its messages a participant reads (a person
added without the history reads from the moment they were added), who may add people, who
may change or delete a message, and when read receipts are shown. Part of ``intranet.access``,
which re-exports every name."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, false

from ..core.timeutil import utcnow
from ..messaging.models import ConversationMessage
from .communication import can_address_person, can_read_conversation


def visible_messages(participant):
    """WHERE clause on ``ConversationMessage``: the messages of the participant's conversation
    that they read — the SQL twin of ``can_read_message``."""
    if participant is None or participant.left_at is not None:
        return false()
    clause = ConversationMessage.conversation_id == participant.conversation_id
    if participant.visible_from_id is not None:
        clause = and_(clause, ConversationMessage.id >= participant.visible_from_id)
    return clause


def can_read_message(user, participant, message) -> bool:
    """A message of a conversation the person reads, unless they were added after it without
    the history."""
    return (can_read_conversation(user, participant)
            and message.conversation_id == participant.conversation_id
            and participant.sees(message))


def can_add_to_conversation(user, participant, person) -> bool:
    """Add ``person`` to a conversation: any participant who reads it, for a person they may
    write to (``can_address_person``)."""
    return (can_read_conversation(user, participant) and person is not None
            and person.active and person.id != user.id and can_address_person(user, person))


def is_own_message(user, participant, message) -> bool:
    """The author's own message, still there, in a conversation they read (a line of the site
    is nobody's)."""
    return (can_read_message(user, participant, message) and message.author_id == user.id
            and not message.is_system and message.deleted_at is None)


def message_change_deadline(message) -> datetime:
    """Until when its author may change or delete a message (``MESSAGE_EDIT_MINUTES``)."""
    return message.created_at + timedelta(minutes=current_app.config["MESSAGE_EDIT_MINUTES"])


def can_change_message(user, participant, message, now: datetime | None = None) -> bool:
    """Change or delete a message: its author, within ``MESSAGE_EDIT_MINUTES`` of sending it."""
    return (is_own_message(user, participant, message)
            and (now or utcnow()) <= message_change_deadline(message))


def shows_read_receipts(reader_count: int) -> bool:
    """Who has read each message is shown in conversations of at most
    ``MESSAGE_READ_RECEIPTS_MAX`` participants."""
    return reader_count <= current_app.config["MESSAGE_READ_RECEIPTS_MAX"]
