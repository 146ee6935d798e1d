"""The erasure of an account, run inside ``services.confirm_erasure``'s transaction.

The account row stays, so that what the person wrote keeps an author: its personal fields are
replaced by a neutral label (« Personne supprimée n° 12 ») and an address that cannot receive
mail, its password and tokens are made useless, and it is deactivated. Each holding of the
registry is then applied (rows deleted, unlinked or kept), every searchable row that refers to
the person is indexed again (its document shows the label), and every copy of their name or
address written as text (``registry.TEXT_COPIES``) is replaced.
"""
from __future__ import annotations

import html

from sqlalchemy import delete, func, or_, select

from ..accounts.models import User
from ..core import uploads
from ..core.audit import AuditEvent
from ..extensions import db
from ..mail.models import OutboxMessage
from ..search import services as search
from . import registry

ERASED_DOMAIN = "personne-supprimee.invalid"   # RFC 2606: never delivered


def label_for(user_id: int) -> str:
    return f"Personne supprimée n° {user_id}"


def address_for(user_id: int) -> str:
    return f"compte-{user_id}@{ERASED_DOMAIN}"


def model_of(table_name: str):
    """The mapped class whose table is ``table_name`` (the base of an inheritance)."""
    for mapper in db.Model.registry.mappers:
        if mapper.inherits is None and getattr(mapper.local_table, "name", None) == table_name:
            return mapper.class_
    raise LookupError(table_name)


def _rows(holding: registry.Holding, user_id: int):
    model = model_of(holding.table)
    column = getattr(model, _attribute(model, holding.column))
    return model, db.session.scalars(select(model).where(column == user_id)).all()


def _attribute(model, column_name: str) -> str:
    for prop in model.__mapper__.column_attrs:
        if any(c.name == column_name for c in prop.columns):
            return prop.key
    raise LookupError(column_name)


def _copies(user: User) -> list[tuple[str, str]]:
    """The ways the person's name and address were written elsewhere, longest first, and
    what replaces each."""
    label, first, last = label_for(user.id), user.first_name.strip(), user.last_name.strip()
    names = set()
    if first and last:
        names |= {f"{first} {last}", f"{last} {first}", f"{last.upper()} {first}",
                  f"{first} {last.upper()}"}
    elif first or last:
        names.add(first or last)
    names |= {html.escape(name) for name in names}     # as written in an HTML body
    pairs = [(user.email, address_for(user.id))]
    pairs += [(name, label) for name in names if len(name) >= 4]
    return sorted(pairs, key=lambda pair: -len(pair[0]))


def _scrub_text(copies: list[tuple[str, str]]) -> None:
    for table_name, columns in registry.TEXT_COPIES:
        model = model_of(table_name)
        attributes = [getattr(model, _attribute(model, name)) for name in columns]
        matches = or_(*(attribute.contains(text, autoescape=True)
                        for attribute in attributes for text, _ in copies))
        for row in db.session.scalars(select(model).where(matches)):
            for attribute in attributes:
                value = getattr(row, attribute.key)
                if not value:
                    continue
                for text, replacement in copies:
                    value = value.replace(text, replacement)
                setattr(row, attribute.key, value)


def erase(user: User) -> None:
    """Erase ``user`` (see the module's docstring). Part of the caller's transaction."""
    copies = _copies(user)
    old_address = user.email
    for holding in registry.HOLDINGS:
        if callable(holding.erase):
            holding.erase(user.id)
            continue
        model, rows = _rows(holding, user.id)
        for row in rows:
            if holding.erase == registry.DELETE:
                db.session.delete(row)
            elif holding.erase == registry.UNLINK:
                setattr(row, _attribute(model, holding.column), None)
            elif getattr(model, "__search_type__", None):
                search.index(row)   # its document names its author: written again
    db.session.flush()
    _scrub_text(copies)
    # Mails still waiting for the person, or kept after sending: theirs, gone; and what they
    # subscribed to with their address alone.
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.recipient == old_address))
    for table_name, column, *_ in registry.ADDRESS_COPIES:
        model = model_of(table_name)
        attribute = getattr(model, _attribute(model, column))
        for row in db.session.scalars(select(model).where(func.lower(attribute)
                                                          == old_address.lower())):
            db.session.delete(row)
    _anonymise(user)


def _anonymise(user: User) -> None:
    from ..accounts import services as accounts
    accounts.remove_photo(user)
    user.first_name, user.last_name = "", label_for(user.id)
    user.email = address_for(user.id)
    user.function, user.function_kind, user.phone = "", None, ""
    user.show_email = user.show_phone = user.show_function = False
    user.password_hash = None
    user.feed_token = None
    user.locked_until = None
    user.last_login_at = None
    user.is_platform_admin = False
    user.active = False
    user.token_generation += 1
    search.index(user)


# --- the holdings that need more than a delete ------------------------------------------------


def delete_job_applications(user_id: int) -> None:
    """The person's applications go with their CV and letter (as ``jobs.services.purge``)."""
    from ..jobs.models import JobApplication
    rows = db.session.scalars(select(JobApplication)
                              .where(JobApplication.user_id == user_id)).all()
    files = [stored for application in rows for stored in application.files]
    for application in rows:
        db.session.delete(application)
    db.session.flush()
    for stored in files:
        uploads.remove_stored_after_commit(stored.storage_name)
        db.session.delete(stored)


def delete_pending_uploads(user_id: int) -> None:
    from ..core.models import PendingUpload
    rows = db.session.scalars(select(PendingUpload).where(PendingUpload.owner_id == user_id))
    for row in rows.all():
        stored = row.file
        db.session.delete(row)
        db.session.flush()
        if stored is not None:
            uploads.remove_stored_after_commit(stored.storage_name)
            db.session.delete(stored)


def delete_sign_in_lines(user_id: int) -> None:
    table = AuditEvent.__table__
    db.session.execute(delete(AuditEvent).where(AuditEvent.actor_id == user_id,
                                                registry.sign_in_lines(table)))


def free_positions(user_id: int) -> None:
    """A post they held in an organisation chart stays, vacant until someone is named."""
    from ..publications.orgcharts.models import OrgPosition
    for position in db.session.scalars(select(OrgPosition).where(OrgPosition.user_id == user_id)):
        position.user_id = None
        position.person_name = position.phone = position.email = ""
        position.vacant = True

