"""Mail received by the listener: posts to lists, replies (``reply+…``), bounces
(``bounce+…``) and mailto unsubscriptions (``unsubscribe+…``).

Never crashes and never loops: a message we cannot read is refused with an SMTP code or
quarantined with the reason logged; automatic mail (bounces, auto-replies, bulk, our own
lists' copies) is never answered. Refusals happen during the SMTP dialogue, so the sending
server, not us, tells the sender (no backscatter).
"""
from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from email import errors, policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from flask import current_app
from sqlalchemy import func, select

from .. import access
from ..accounts.models import User
from ..mail import replies
from ..core import uploads
from ..core.sanitize import clean_html, to_text
from ..core.uow import unit_of_work
from ..extensions import db
from . import services, upkeep
from .models import ListMessage, MailingList, QuarantinedMail

log = logging.getLogger("intranet.lists.inbound")

FATAL_MIME_DEFECTS = (errors.NoBoundaryInMultipartDefect, errors.StartBoundaryNotFoundDefect,
                      errors.MultipartInvariantViolationDefect)


@dataclass
class Outcome:
    code: int
    text: str

    @property
    def line(self) -> str:
        return f"{self.code} {_ascii(self.text)}"


def _ascii(text: str) -> str:
    """SMTP replies are ASCII: « réservé » becomes « reserve »."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(folded.split())[:400]


def max_bytes() -> int:
    return current_app.config["LISTS_MAX_MESSAGE_BYTES"]


# --- recipients ---------------------------------------------------------------------------------


# Other domains' addresses on the lists' domain, by the prefix of their local part (« forum+ »):
# prefix → (known(local part) -> bool, take(local part, message, envelope sender, recipient,
# raw data) -> Outcome). Registered by those domains (``register_address``); the listener
# checks and routes them like the lists' own.
ADDRESSES: dict[str, tuple] = {}


def register_address(prefix: str, known, take) -> None:
    ADDRESSES[prefix.lower()] = (known, take)


def _registered(lowered: str):
    return next((handlers for prefix, handlers in ADDRESSES.items()
                 if lowered.startswith(prefix)), None)


def _split(address: str) -> tuple[str, str]:
    address = (address or "").strip().strip("<>")
    local, _, domain = address.rpartition("@")
    return local, domain.lower()


def check_recipient(address: str) -> Outcome:
    """At RCPT TO: is this one of our addresses? (We relay nothing.)"""
    local, domain = _split(address)
    lowered = local.lower()
    reply_domain = current_app.config["REPLY_DOMAIN"].lower()
    if domain == reply_domain and lowered.startswith("reply+"):
        return Outcome(250, "2.1.5 OK")
    if domain != services.lists_domain():
        return Outcome(550, "5.7.1 Relais refuse : adresse d'un autre domaine")
    if lowered == "bounce" or lowered.startswith(("bounce+", "unsubscribe+", "reply+")):
        return Outcome(250, "2.1.5 OK")
    registered = _registered(lowered)
    if registered is not None:
        return Outcome(250, "2.1.5 OK") if registered[0](local) else \
            Outcome(550, "5.1.1 Adresse inconnue")
    if services.list_by_name(lowered) is not None:
        return Outcome(250, "2.1.5 OK")
    return Outcome(550, "5.1.1 Adresse inconnue")


# --- reading a message ------------------------------------------------------------------------


def _fix(text: str) -> str:
    """Headers with raw 8-bit bytes (undeclared windows-1252…) come back with surrogates."""
    raw = text.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def header(msg: EmailMessage, name: str) -> str:
    try:
        for key, raw in msg.raw_items():
            if key.lower() == name.lower() and isinstance(raw, str) and any(
                    "\udc80" <= ch <= "\udcff" for ch in raw):
                # undeclared 8-bit bytes: the parser would show « � », read them ourselves
                return " ".join(_fix(raw).split())
        value = msg.get(name)
        return _fix(str(value)).strip() if value is not None else ""
    except Exception:  # a header the parser cannot even render: as if absent
        return ""


def _part_text(part) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError, KeyError, ValueError):
        payload = part.get_payload(decode=True) or b""
        for charset in ("utf-8", "cp1252"):
            try:
                return payload.decode(charset)
            except UnicodeDecodeError:
                continue
        return payload.decode("latin-1")


def _defects(msg: EmailMessage) -> list:
    found = []
    for part in msg.walk():
        found.extend(part.defects)
    return found


class Unreadable(ValueError):
    """The message cannot be read as intended: quarantined."""


def parts_of(msg: EmailMessage) -> tuple[str, list[uploads.Sent]]:
    """(text body, attached files) of a message."""
    fatal = [d for d in _defects(msg) if isinstance(d, FATAL_MIME_DEFECTS)]
    if fatal:
        raise Unreadable("MIME invalide : " + ", ".join(sorted({type(d).__name__ for d in fatal})))
    body_part = msg.get_body(preferencelist=("plain", "html"))
    text = ""
    if body_part is not None:
        content = _part_text(body_part)
        if not isinstance(content, str):
            content = ""
        text = to_text(clean_html(content)) if body_part.get_content_subtype() == "html" else content
    text = text.replace("\r\n", "\n").replace("\x00", "").strip()
    files = []
    for part in msg.walk():
        if part is body_part or part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        if disposition == "attachment" or (part.get_content_maintype() not in ("text", "multipart")
                                           and part is not msg):
            name = _fix(part.get_filename() or "") or part.get_content_type()
            files.append(uploads.Sent(part.get_payload(decode=True) or b"", name))
    if not text and not files and msg.get_content_maintype() != "text":
        raise Unreadable("aucun texte lisible dans le message")
    return text, files


def describe(files) -> str:
    return ", ".join(f"{name} ({max(1, len(data) // 1024)} Ko)" for data, name in files)


def text_of(msg: EmailMessage) -> tuple[str, str]:
    """(text body, note on the attachments) of a message (replies: attachments are not kept)."""
    text, files = parts_of(msg)
    note = ("Pièces jointes non diffusées par la liste : " + describe(files)) if files else ""
    return text, note


def is_automatic(msg: EmailMessage, envelope_from: str) -> str:
    """Why this message must never be answered nor distributed ('' if it is a person's)."""
    if not (envelope_from or "").strip().strip("<>"):
        return "expéditeur d'enveloppe vide (rebond)"
    auto = header(msg, "Auto-Submitted").lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    precedence = header(msg, "Precedence").lower()
    if precedence in ("bulk", "list", "junk"):
        return f"Precedence: {precedence}"
    list_id = header(msg, "List-Id").lower()
    domain = services.lists_domain()
    if list_id and (f".{domain}>" in list_id or list_id.endswith(f".{domain}")):
        return "copie d'une de nos listes (List-Id)"
    if header(msg, "X-Loop").lower().endswith("@" + domain):
        return "copie d'une de nos listes (X-Loop)"
    if msg.get_content_type() == "multipart/report":
        return "rapport de distribution"
    local = parseaddr(header(msg, "From"))[1].split("@")[0].lower()
    if local in ("mailer-daemon", "postmaster"):
        return f"expéditeur automatique ({local})"
    return ""


@dataclass
class Bounce:
    hard: bool
    status: str = ""   # the DSN's status code (« 5.1.1 »), when there is one


_STATUS = re.compile(r"^\s*([245])\.(\d{1,3})\.(\d{1,3})")


def _dsn_fields(part) -> list:
    """The field blocks of a message/delivery-status part (per-message, then per-recipient)."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return payload
    text = payload if isinstance(payload, str) else ""
    return [BytesParser(policy=policy.default).parsebytes(block.strip().encode("utf-8",
                                                                               "replace"))
            for block in re.split(r"\r?\n\s*\r?\n", text) if block.strip()]


def bounce_of(msg: EmailMessage, envelope_from: str) -> Bounce | None:
    """The delivery failure a message to a bounce address reports, or None (a vacation
    message, a success report). A delivery status notification (RFC 3464) is read: a status
    5.x.x (or « Action: failed » without status) is permanent — hard —, a status 4.x.x or
    « Action: delayed » temporary — soft. A report without status block, or a message with
    an empty envelope sender, counts as a hard failure."""
    if msg.get_content_type() == "multipart/report":  # RFC 3464 (Postfix marks it auto-replied)
        for part in msg.walk():
            if part.get_content_type() != "message/delivery-status":
                continue
            try:
                blocks = _dsn_fields(part)
            except Exception:  # a status block we cannot read: as if absent
                blocks = []
            found = None
            for block in blocks[1:] or blocks:
                action = str(block.get("Action", "") or "").strip().lower()
                match = _STATUS.match(str(block.get("Status", "") or ""))
                status = ".".join(match.groups()) if match else ""
                if (match and match.group(1) == "5") or (not match and action == "failed"):
                    return Bounce(hard=True, status=status)
                if (match and match.group(1) == "4") or action == "delayed":
                    found = found or Bounce(hard=False, status=status)
            return found
        return Bounce(hard=True)
    if header(msg, "Auto-Submitted").lower().startswith("auto-replied"):
        return None  # a vacation message sent to the envelope sender
    return Bounce(hard=True) if not (envelope_from or "").strip().strip("<>") else None


# --- receiving ----------------------------------------------------------------------------------


@unit_of_work
def quarantine(reason: str, envelope_from: str, recipients, data: bytes,
               mlist: MailingList | None = None) -> None:
    log.warning("courriel mis en quarantaine (%s) de %r pour %s, %s octets", reason,
                envelope_from, ", ".join(recipients), len(data))
    db.session.add(QuarantinedMail(list_id=getattr(mlist, "id", None),
                                   envelope_from=(envelope_from or "")[:254],
                                   recipients=", ".join(recipients)[:2000], reason=reason[:2000],
                                   size=len(data), head=data[:65536]))


def receive(envelope_from: str, recipients: list[str], data: bytes) -> list[Outcome]:
    """Take one message for its recipients: one outcome per recipient (LMTP answers each;
    SMTP answers once, see ``summary``). Never raises."""
    try:
        return _receive(envelope_from or "", list(recipients), data)
    except Exception as exc:  # our own bug: keep the message and tell the sender to wait
        db.session.rollback()
        log.exception("erreur en recevant un courriel de %r", envelope_from)
        try:
            quarantine(f"erreur interne : {type(exc).__name__}: {exc}", envelope_from,
                       recipients, data)
        except Exception:
            db.session.rollback()
            log.exception("quarantaine impossible")
            return [Outcome(451, "4.3.0 Erreur temporaire, reessayez plus tard")] * len(recipients)
        return [Outcome(554, "5.6.0 Message illisible, conserve en quarantaine")] * len(recipients)


def summary(outcomes: list[Outcome]) -> str:
    """The one SMTP answer for several recipients: success if any was taken (the others are
    logged), else the first refusal."""
    if not outcomes:
        return "554 5.5.1 Aucun destinataire valide"
    for outcome in outcomes:
        if outcome.code < 300:
            return outcome.line
    return outcomes[0].line


def _receive(envelope_from: str, recipients: list[str], data: bytes) -> list[Outcome]:
    limit = max_bytes()
    if len(data) > limit:
        log.warning("courriel refusé : %s octets (limite %s) de %r", len(data), limit,
                    envelope_from)
        return [Outcome(552, f"5.3.4 Message trop volumineux (limite {limit // 1048576} Mo)")] \
            * len(recipients)
    try:
        msg = BytesParser(policy=policy.default).parsebytes(data)
    except Exception as exc:
        quarantine(f"analyse impossible : {exc}", envelope_from, recipients, data)
        return [Outcome(554, "5.6.0 Message illisible, conserve en quarantaine")] * len(recipients)
    if not header(msg, "From") or not any(k for k in msg.keys()):
        log.warning("courriel refusé : sans en-têtes (From absent) de %r", envelope_from)
        return [Outcome(550, "5.6.0 Message malforme : en-tete From absent")] * len(recipients)
    return [_one(envelope_from, rcpt, msg, data) for rcpt in recipients]


def _one(envelope_from: str, rcpt: str, msg: EmailMessage, data: bytes) -> Outcome:
    local, domain = _split(rcpt)
    lowered = local.lower()
    automatic = is_automatic(msg, envelope_from)
    if lowered.startswith("reply+"):
        if automatic:
            log.info("réponse automatique ignorée pour %s : %s", rcpt, automatic)
            return Outcome(250, "2.0.0 Ignore (message automatique)")
        return _reply(rcpt, msg, envelope_from, data)
    if lowered == "bounce":
        return Outcome(250, "2.0.0 Ignore")
    if lowered.startswith("bounce+"):
        sub = services.subscriber_for_token(local[len("bounce+"):], "bounce")
        bounce = bounce_of(msg, envelope_from) if sub is not None else None
        if bounce is not None:
            upkeep.record_bounce(sub, hard=bounce.hard, status=bounce.status)
            log.info("rebond %s compté pour %s sur %s", "permanent" if bounce.hard
                     else "temporaire", sub.email, sub.mailing_list.address)
        return Outcome(250, "2.0.0 Rebond traite")
    if lowered.startswith("unsubscribe+"):
        if not automatic:
            services.unsubscribe_by_token(local[len("unsubscribe+"):])
        return Outcome(250, "2.0.0 Desabonnement traite")
    registered = _registered(lowered)
    if registered is not None:
        if automatic:
            log.info("message automatique pour %s ignoré : %s", rcpt, automatic)
            return Outcome(250, "2.0.0 Ignore (message automatique)")
        return registered[1](local, msg, envelope_from, rcpt, data)
    mlist = services.list_by_name(lowered)
    if mlist is None:
        return Outcome(550, "5.1.1 Adresse inconnue")
    if automatic:
        log.info("message automatique pour %s ignoré : %s", mlist.address, automatic)
        return Outcome(250, "2.0.0 Ignore (message automatique)")
    return _post(mlist, msg, envelope_from, rcpt, data)


def _reply(rcpt: str, msg: EmailMessage, envelope_from: str, data: bytes) -> Outcome:
    try:
        text, _note = text_of(msg)
    except Unreadable as exc:
        quarantine(str(exc), envelope_from, [rcpt], data)
        return Outcome(554, "5.6.0 Message malforme, conserve en quarantaine")
    try:
        replies.handle(rcpt.strip("<>"), text, msg)
    except replies.ReplyRefused as exc:   # refused before anything was written
        log.info("réponse refusée pour %s : %s", rcpt, exc)
        return Outcome(550, f"5.7.1 Reponse refusee : {exc}")
    return Outcome(250, "2.0.0 Reponse enregistree")


def _post(mlist: MailingList, msg: EmailMessage, envelope_from: str, rcpt: str,
          data: bytes) -> Outcome:
    try:
        addresses = getaddresses([header(msg, "From")])
    except Exception:
        addresses = []
    name, email = addresses[0] if addresses else ("", "")
    try:
        email = services.normalise_address(email)
    except services.ListError:
        return Outcome(550, "5.1.7 Adresse d'expediteur invalide")
    try:
        text, files = parts_of(msg)
    except Unreadable as exc:
        quarantine(str(exc), envelope_from, [rcpt], data, mlist)
        return Outcome(554, "5.6.0 Message malforme, conserve en quarantaine")
    message_id = services.valid_message_id(header(msg, "Message-ID")) or services.new_message_id()
    if db.session.scalar(select(func.count()).where(ListMessage.list_id == mlist.id,
                                                    ListMessage.message_id == message_id)):
        return Outcome(250, "2.0.0 Deja recu")  # the sender's server retried: taken once
    user = db.session.scalar(select(User).where(func.lower(User.email) == email,
                                                User.active.is_(True)))
    decision = access.list_posting_decision(user, mlist, email)
    if decision.discarded:  # a moderator's rule « ignorer »: dropped, the sender not told
        log.info("message de %s ignoré sur %s (règle d'expéditeur)", email, mlist.address)
        return Outcome(250, "2.0.0 Message recu")
    if decision.refused:
        log.info("message de %s refusé sur %s : %s", email, mlist.address, decision.reason)
        return Outcome(550, f"5.7.1 {decision.reason}")
    references = " ".join(header(msg, "References").split()[-20:])
    in_reply_to = (header(msg, "In-Reply-To").split() or [""])[-1]
    message = ListMessage(
        list_id=mlist.id, mailing_list=mlist, message_id=message_id,
        in_reply_to=(services.valid_message_id(in_reply_to) or "")[:250],
        references=" ".join(r for r in references.split() if services.valid_message_id(r)),
        subject=(services.one_line(header(msg, "Subject")) or "(sans objet)")[:300],
        sender_email=email,
        sender_name=services.one_line(_fix(name or (user.full_name if user else "")))[:200],
        author_id=getattr(user, "id", None), body_text=text, source="email")
    services.post_from_mail(message, decision, files, actor=user)
    if decision.held:
        return Outcome(250, "2.0.0 Message en attente de moderation")
    return Outcome(250, "2.0.0 Message diffuse")
