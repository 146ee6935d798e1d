"""The queue of index changes, the PostgreSQL backend's own index table, and the searches
people save to receive their new results by mail."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core import generations
from ..core.alerts import AlertFrequency
from ..core.models import TimestampMixin
from ..core.timeutil import utcnow
from ..core.types import enum_column
from ..extensions import db


class SearchQueue(db.Model):
    """An object whose index entry must be (re)computed; written in the transaction that
    changed it, removed by the writer once the index has it."""
    __tablename__ = "search_queue"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")


class SearchEntry(db.Model):
    """One document of the PostgreSQL full-text backend (unused with Whoosh)."""
    __tablename__ = "search_entry"
    __table_args__ = (Index("ix_search_entry_tsv", "tsv", postgresql_using="gin"),)

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    type: Mapped[str] = mapped_column(String(30), index=True)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(300))
    date: Mapped[datetime] = mapped_column(DateTime, index=True)
    space_id: Mapped[int | None] = mapped_column(Integer, index=True)
    narrow: Mapped[str] = mapped_column(String(10), default="")
    organisation_id: Mapped[int | None] = mapped_column(Integer, index=True)
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    has_readers: Mapped[bool] = mapped_column(default=False)
    # the search's filters « dans ce forum / cette liste » and « de cet auteur »
    container: Mapped[str] = mapped_column(String(40), default="", index=True)
    author_id: Mapped[int | None] = mapped_column(Integer, index=True)
    tsv: Mapped[str | None] = mapped_column(TSVECTOR().with_variant(Text(), "sqlite"))


class SearchEntryReader(db.Model):
    __tablename__ = "search_entry_reader"

    key: Mapped[str] = mapped_column(ForeignKey("search_entry.key", ondelete="CASCADE"),
                                     primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)


class SearchSpelling(db.Model):
    """One document's words as written (accents folded, not stemmed), for the PostgreSQL
    backend's « Vouliez-vous dire » (unused with Whoosh, whose index holds them)."""
    __tablename__ = "search_spelling"
    __table_args__ = (Index("ix_search_spelling_words", "words", postgresql_using="gin"),)

    key: Mapped[str] = mapped_column(ForeignKey("search_entry.key", ondelete="CASCADE"),
                                     primary_key=True)
    words: Mapped[str | None] = mapped_column(TSVECTOR().with_variant(Text(), "sqlite"))


class SearchWord(db.Model):
    """The PostgreSQL backend's spelling vocabulary: every word indexed, as written (accents
    folded), with how many documents have held it (a document written again counts again: an
    order of size, for ranking suggestions). Emptied by a full rebuild only; a word is only
    ever suggested if a document the person may read holds it now."""
    __tablename__ = "search_word"

    # byte order, so that « all the words starting with d » is a range of the primary key
    word: Mapped[str] = mapped_column(
        String(100, collation="C").with_variant(String(100), "sqlite"), primary_key=True)
    documents: Mapped[int] = mapped_column(Integer, default=0)


# The vocabulary as each process keeps what it computed from it (« Vouliez-vous dire »'s
# candidates of a word): the PostgreSQL backend's writer advances it with every batch it writes.
SEARCH_WORDS = "search_words"
generations.watch(SEARCH_WORDS, SearchWord)


class SavedSearch(TimestampMixin, db.Model):
    """A search of the results page a signed-in person saved: what it finds that was never
    mailed to them (``SavedSearchSent``) is mailed daily or weekly, searched as them at sending
    time. ``query`` is the results page's query string (``search.filters.saved_query``);
    ``token`` (random, secret) unsubscribes from the mail without signing in."""
    __tablename__ = "saved_search"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    query: Mapped[str] = mapped_column(String(1000), default="")   # the page's query string
    frequency: Mapped[AlertFrequency] = mapped_column(
        enum_column(AlertFrequency, "saved_search_frequency"), default=AlertFrequency.WEEKLY)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    last_sent_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<SavedSearch {self.id} {self.query!r}>"


class SavedSearchSent(db.Model):
    """A result already mailed for a saved search (mailed once only), with the result's date:
    rows older than the look-back (``SAVED_SEARCH_LOOKBACK_DAYS``) are removed."""
    __tablename__ = "saved_search_sent"

    saved_search_id: Mapped[int] = mapped_column(
        ForeignKey("saved_search.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    date: Mapped[datetime] = mapped_column(DateTime)
