"""A person's second factors: an authenticator app (TOTP), passkeys and security keys
(WebAuthn), recovery codes, and the browsers they trust for a while."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ...core.models import TimestampMixin
from ...extensions import db


class TotpDevice(TimestampMixin, db.Model):
    """The person's authenticator app (RFC 6238, 30-second steps, 6 digits): one per person.
    ``confirmed_at`` stays None until a first code proves the app holds the secret."""
    __tablename__ = "mfa_totp"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))          # base32
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The last time-step whose code was accepted: a code is accepted once, never again.
    last_used_step: Mapped[int | None] = mapped_column(BigInteger)


class Passkey(TimestampMixin, db.Model):
    """A WebAuthn credential: a passkey (phone, computer) or a security key, named by its
    owner."""
    __tablename__ = "mfa_passkey"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[bytes] = mapped_column(LargeBinary(1024), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(2048))
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    name: Mapped[str] = mapped_column(String(100))
    transports: Mapped[str] = mapped_column(String(200), default="")   # comma-separated
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)


class RecoveryCode(TimestampMixin, db.Model):
    """One of the person's ten single-use recovery codes, stored hashed (SHA-256: the codes
    are random, 50 bits each, so a slow hash would add nothing)."""
    __tablename__ = "mfa_recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class TrustedBrowser(TimestampMixin, db.Model):
    """A browser where the person asked not to be asked the second factor for a while. Its
    cookie is signed and names this row, whose deletion revokes it."""
    __tablename__ = "mfa_trusted_browser"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200), default="")   # from the User-Agent
    ip: Mapped[str | None] = mapped_column(String(45))
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    uses: Mapped[int] = mapped_column(Integer, default=0)
