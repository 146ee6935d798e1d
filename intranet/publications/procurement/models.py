"""Procurement: code lists (the council's purchasing families, the European CPV) and notices.

A nomenclature is a tree of codes, imported whole from a CSV file. A procurement notice (avis de
marché) is a publication (``PublicationMixin``) linked to any number of codes.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (Column, DateTime, ForeignKey, Index, Integer, String, Table, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...core.types import LabelledEnum, enum_column
from ...core.models import TimestampMixin
from ...core.attachments import AttachmentMixin
from ..lifecycle import PublicationMixin
from ...core import uploads
from ...core.sanitize import to_text
from ...core.urls import path_for
from ...search.documents import SearchDocument, searchable
from ...core.timeutil import utcnow
from ...extensions import db


class Nomenclature(TimestampMixin, db.Model):
    __tablename__ = "nomenclature"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    code_count: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Nomenclature {self.name}>"


class NomenclatureCode(db.Model):
    """One code of a nomenclature. ``level`` is its depth (1 for a root); ``child_count`` and
    ``search_text`` (code and label without accents, lower case) are kept by the import."""
    __tablename__ = "nomenclature_code"
    __table_args__ = (UniqueConstraint("nomenclature_id", "code"),
                      Index("ix_nomenclature_code_parent", "nomenclature_id", "parent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomenclature_id: Mapped[int] = mapped_column(
        ForeignKey("nomenclature.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(30), index=True)
    label: Mapped[str] = mapped_column(String(500))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("nomenclature_code.id", ondelete="CASCADE"), index=True)
    level: Mapped[int] = mapped_column(Integer, default=1)
    child_count: Mapped[int] = mapped_column(Integer, default=0)
    search_text: Mapped[str] = mapped_column(String(540), default="")

    nomenclature: Mapped[Nomenclature] = relationship()
    parent: Mapped[NomenclatureCode | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<NomenclatureCode {self.code}>"


class Procedure(LabelledEnum):
    ADAPTED = "adaptee", "Procédure adaptée"
    OPEN_TENDER = "appel_offres_ouvert", "Appel d'offres ouvert"
    RESTRICTED_TENDER = "appel_offres_restreint", "Appel d'offres restreint"
    NEGOTIATED = "negociee", "Procédure négociée"
    COMPETITIVE_DIALOGUE = "dialogue_competitif", "Dialogue compétitif"
    OTHER = "autre", "Autre"


PROCEDURE_LABELS = Procedure.labels()

notice_code = Table(
    "procurement_notice_code", db.metadata,
    Column("notice_id", ForeignKey("procurement_notice.id", ondelete="CASCADE"),
           primary_key=True),
    Column("code_id", ForeignKey("nomenclature_code.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


@searchable("notice", "Avis de marché")
class ProcurementNotice(PublicationMixin, TimestampMixin, db.Model):
    __tablename__ = "procurement_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(250))
    reference: Mapped[str] = mapped_column(String(60), default="")
    procedure: Mapped[Procedure] = mapped_column(enum_column(Procedure, "procurement_procedure"))
    deadline: Mapped[datetime] = mapped_column(DateTime, index=True)   # naive UTC
    description: Mapped[str] = mapped_column(Text, default="")         # sanitised HTML
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    codes: Mapped[list[NomenclatureCode]] = relationship(secondary=notice_code,
                                                         order_by="NomenclatureCode.code")
    documents: Mapped[list[NoticeDocument]] = relationship(
        back_populates="notice", cascade="all, delete-orphan", order_by="NoticeDocument.id")

    @property
    def is_open(self) -> bool:
        return self.deadline > utcnow()

    def search_document(self) -> SearchDocument | None:
        codes = " ".join(f"{c.code} {c.label}" for c in self.codes)
        attached = "\n".join(uploads.text_of(d.file) for d in self.documents if d.file)
        return self.publication_document(
            type_key="notice", title=self.title, url=path_for("procurement.show", notice_id=self.id),
            body=f"{self.reference} {self.procedure.label}\n{to_text(self.description)}\n"
                 f"{codes}\n{attached}".strip())

    def __repr__(self) -> str:
        return f"<ProcurementNotice {self.id} {self.title!r}>"


class NoticeDocument(AttachmentMixin, TimestampMixin, db.Model):
    """A file of a notice (rules of the consultation, specifications…)."""
    __tablename__ = "procurement_notice_document"
    __search_follow__ = {"notice": "notice_id"}   # its text is part of the notice's document

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("procurement_notice.id", ondelete="CASCADE"),
                                           index=True)
    title: Mapped[str] = mapped_column(String(200), default="")

    notice: Mapped[ProcurementNotice] = relationship(back_populates="documents")
