"""Agendas: events of a space's calendar or of a person's own, their changed occurrences,
invitations and replies, rooms and equipment and their bookings, subscription feeds.

A person's calendar is the events they own outside any space (``space_id`` NULL): only they
and the people they invite see them. A space's calendar is the events of that space: who sees
them follows the space, narrowed per event (``visibility``), as for any content of a space.
Times are Europe/Paris wall-clock times (``recurrence``)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String,
                        Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organisation, User
from ..core import uploads
from ..core.attachments import AttachmentMixin
from ..core.models import TimestampMixin
from ..core.types import LabelledEnum, Visibility, enum_column
from ..core.urls import path_for
from ..extensions import db
from ..search.documents import SearchDocument, searchable
from ..spaces.models import Space, SpaceContent
from . import recurrence


class Answer(LabelledEnum):
    NEEDS_ACTION = "needs_action", "Pas encore répondu"
    ACCEPTED = "accepted", "Participe"
    TENTATIVE = "tentative", "Peut-être"
    DECLINED = "declined", "Ne participe pas"


class ResourceKind(LabelledEnum):
    ROOM = "room", "Salle"
    VEHICLE = "vehicle", "Véhicule"
    EQUIPMENT = "equipment", "Matériel"


class Reminder(LabelledEnum):
    NONE = "none", "Aucun rappel"
    HOUR = "hour", "Une heure avant"
    DAY = "day", "La veille (24 heures avant)"


@searchable("event", "Agenda")
class Event(SpaceContent, TimestampMixin, db.Model):
    __tablename__ = "agenda_event"
    __table_args__ = (Index("ix_agenda_event_space_range", "space_id", "first_utc", "last_utc"),
                      Index("ix_agenda_event_owner_range", "owner_id", "first_utc"),
                      CheckConstraint("ends_on >= starts_on", name="event_ends_after_start"))

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int | None] = mapped_column(ForeignKey("space.id", ondelete="CASCADE"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(300), default="")
    description_html: Mapped[str] = mapped_column(Text, default="")    # sanitised
    description_source: Mapped[str] = mapped_column(Text, default="")
    description_format: Mapped[str] = mapped_column(String(10), default="text")
    description_text: Mapped[str] = mapped_column(Text, default="")    # for feeds and search
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    # Europe/Paris wall-clock times; an all-day event ends at midnight after its last day.
    starts_on: Mapped[datetime] = mapped_column(DateTime)
    ends_on: Mapped[datetime] = mapped_column(DateTime)
    rrule: Mapped[str | None] = mapped_column(String(500))
    # UTC bounds of the whole series, for the range filter (last_utc NULL: no end).
    first_utc: Mapped[datetime] = mapped_column(DateTime)
    last_utc: Mapped[datetime | None] = mapped_column(DateTime)
    visibility: Mapped[Visibility | None] = mapped_column(enum_column(Visibility, "visibility"))
    # The iCalendar UID: kept from an imported file, so that importing it again is refused.
    uid: Mapped[str] = mapped_column(String(255), unique=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    space: Mapped[Space | None] = relationship()
    owner: Mapped[User] = relationship()
    changes: Mapped[list[EventChange]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventChange.occurrence")
    attendees: Mapped[list[Attendee]] = relationship(
        back_populates="event", cascade="all, delete-orphan")
    bookings: Mapped[list[Booking]] = relationship(
        back_populates="event", cascade="all, delete-orphan")
    attachments: Mapped[list[EventAttachment]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventAttachment.id")

    @property
    def content_narrowing(self) -> Visibility | None:
        return self.visibility

    @property
    def content_author_id(self) -> int | None:
        return self.owner_id

    @property
    def is_personal(self) -> bool:
        return self.space_id is None

    @property
    def duration(self):
        return self.ends_on - self.starts_on

    @property
    def space_name(self) -> str | None:
        return self.space.name if self.space is not None else None

    @property
    def recurrence_text(self) -> str:
        return recurrence.describe(self.rrule)

    def change_at(self, occurrence: datetime) -> EventChange | None:
        return next((c for c in self.changes if c.occurrence == occurrence), None)

    def search_document(self) -> SearchDocument | None:
        readers = []
        attached = "\n".join(uploads.text_of(a.file) for a in self.attachments)
        if self.space_id is None:   # a personal event: its owner and the people invited
            readers = sorted({self.owner_id, *(a.user_id for a in self.attendees)})
        space = self.space
        return SearchDocument(
            key=f"event:{self.id}", type="event", title=self.title,
            body=f"{self.location}\n{self.description_text}\n{attached}".strip(),
            url=path_for("agenda.event", event_id=self.id),
            date=self.updated_at, space_id=self.space_id,
            narrow=self.visibility.value if self.visibility else "",
            organisation_id=space.organisation_id if space else None,
            organisation_name=space.organisation.name if space and space.organisation else "",
            readers=readers)


class EventAttachment(AttachmentMixin, db.Model):
    """A file joined to an event (an agenda, a map, a registration form)."""
    __tablename__ = "agenda_event_attachment"
    __search_follow__ = {"event": "event_id"}   # its text is part of the event's document

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("agenda_event.id", ondelete="CASCADE"),
                                          index=True)

    event: Mapped[Event] = relationship(back_populates="attachments")


class EventChange(db.Model):
    """One occurrence of a series, cancelled or changed (RFC 5545's EXDATE and RECURRENCE-ID):
    ``occurrence`` is its start as the rule gives it."""
    __tablename__ = "agenda_event_change"
    __table_args__ = (UniqueConstraint("event_id", "occurrence", name="uq_agenda_event_change"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("agenda_event.id", ondelete="CASCADE"))
    occurrence: Mapped[datetime] = mapped_column(DateTime)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    starts_on: Mapped[datetime | None] = mapped_column(DateTime)
    ends_on: Mapped[datetime | None] = mapped_column(DateTime)
    title: Mapped[str | None] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(300))

    event: Mapped[Event] = relationship(back_populates="changes")


class Attendee(db.Model):
    """A person invited to an event, and their answer for the whole series."""
    __tablename__ = "agenda_attendee"
    __table_args__ = (UniqueConstraint("event_id", "user_id", name="uq_agenda_attendee"),
                      Index("ix_agenda_attendee_user", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("agenda_event.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    answer: Mapped[Answer] = mapped_column(enum_column(Answer, "agenda_answer"),
                                           default=Answer.NEEDS_ACTION)
    # How they were invited (« Secrétaires de mairie des communes de la CA d'Agen »).
    invited_as: Mapped[str] = mapped_column(String(300), default="")

    event: Mapped[Event] = relationship(back_populates="attendees")
    user: Mapped[User] = relationship()


class OccurrenceAnswer(db.Model):
    """An invited person's answer for one occurrence, different from their series answer."""
    __tablename__ = "agenda_occurrence_answer"
    __table_args__ = (UniqueConstraint("event_id", "user_id", "occurrence",
                                       name="uq_agenda_occurrence_answer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("agenda_event.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    occurrence: Mapped[datetime] = mapped_column(DateTime)
    answer: Mapped[Answer] = mapped_column(enum_column(Answer, "agenda_answer"))


class Resource(TimestampMixin, db.Model):
    """A room, a vehicle or equipment of an organisation, booked with events."""
    __tablename__ = "agenda_resource"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ResourceKind] = mapped_column(enum_column(ResourceKind, "agenda_resource_kind"))
    description: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    organisation: Mapped[Organisation] = relationship()


class Booking(db.Model):
    """One occurrence of an event holding a resource, as UTC instants: two bookings of a
    resource never overlap (``services.book``, under a lock of the resource's row)."""
    __tablename__ = "agenda_booking"
    __table_args__ = (Index("ix_agenda_booking_resource_range", "resource_id", "starts_utc"),
                      UniqueConstraint("resource_id", "event_id", "occurrence",
                                       name="uq_agenda_booking"))

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("agenda_resource.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("agenda_event.id", ondelete="CASCADE"),
                                          index=True)
    occurrence: Mapped[datetime] = mapped_column(DateTime)
    starts_utc: Mapped[datetime] = mapped_column(DateTime)
    ends_utc: Mapped[datetime] = mapped_column(DateTime)

    resource: Mapped[Resource] = relationship()
    event: Mapped[Event] = relationship(back_populates="bookings")


class AgendaSettings(db.Model):
    """A person's agenda settings: when to be reminded of their events."""
    __tablename__ = "agenda_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         primary_key=True)
    reminder: Mapped[Reminder] = mapped_column(enum_column(Reminder, "agenda_reminder"),
                                               default=Reminder.NONE)


class ReminderSent(db.Model):
    __tablename__ = "agenda_reminder_sent"
    __table_args__ = (UniqueConstraint("event_id", "user_id", "occurrence",
                                       name="uq_agenda_reminder_sent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("agenda_event.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    occurrence: Mapped[datetime] = mapped_column(DateTime)


class CalendarFeed(TimestampMixin, db.Model):
    """A subscription address of a person's agenda (``/agenda/flux/<token>.ics``): the token is
    its permission, revoked by deleting the row (the address then answers 404)."""
    __tablename__ = "agenda_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    token: Mapped[str] = mapped_column(String(43), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    with_deadlines: Mapped[bool] = mapped_column(Boolean, default=False)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()


def occurrence_key(value: datetime) -> str:
    """An occurrence in an address: ``20270315T1000``."""
    return value.strftime("%Y%m%dT%H%M")


def parse_occurrence_key(text: str | None) -> datetime | None:
    try:
        return datetime.strptime(text or "", "%Y%m%dT%H%M")
    except ValueError:
        return None


