"""vCard 4.0 (RFC 6350), written by hand: the few properties an address book needs.

- lines end with CRLF (§3.2) and are folded at 75 octets, never inside a UTF-8 character: the
  continuation starts with one space (§3.2);
- text values escape backslash, comma, semicolon and line breaks (§3.4); the components of
  ``N`` and ``ADR`` are separated by unescaped semicolons;
- ``VERSION:4.0`` comes right after ``BEGIN:VCARD`` (§6.7.9); ``FN`` is the one required
  property; phones are ``tel:`` URIs (§6.4.1).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..core.text import slugify

CRLF = "\r\n"
LINE_OCTETS = 75


@dataclass
class Card:
    """One vCard: a person (``kind`` "individual") or an organisation ("org")."""
    full_name: str
    last_name: str = ""
    first_name: str = ""
    kind: str = "individual"
    organisations: list[str] = field(default_factory=list)
    title: str = ""
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    address: str = ""       # one line, or several: the street part of ADR, as written
    note: str = ""
    url: str = ""


def escape(value: str) -> str:
    """A TEXT value (RFC 6350 §3.4): ``\\`` ``,`` ``;`` escaped, line breaks as ``\\n``."""
    value = value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return re.sub(r"\r\n|\r|\n", "\\\\n", value)


def _clean(value: str | None) -> str:
    """No control character but line breaks (what the escaping turns into ``\\n``)."""
    return re.sub(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]", "", value or "").strip()


def fold(line: str) -> str:
    """One content line, folded at 75 octets without cutting a UTF-8 character."""
    out, current, size = [], [], 0
    limit = LINE_OCTETS
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            out.append("".join(current))
            current, size = [" "], 1        # a continuation line starts with one space
        current.append(char)
        size += octets
    out.append("".join(current))
    return CRLF.join(out) + CRLF


def tel_uri(phone: str) -> str:
    """« 05 53 69 40 00 » → ``tel:+33-5-53-69-40-00``; another number keeps its digits
    (``tel:`` URIs allow only digits, ``+`` and visual separators)."""
    digits = re.sub(r"[^0-9+]", "", phone)
    if re.fullmatch(r"0[1-9]\d{8}", digits):
        digits = "+33" + digits[1:]
        return "tel:" + "-".join([digits[:3], digits[3], digits[4:6], digits[6:8], digits[8:10],
                                  digits[10:12]])
    return "tel:" + digits


def render(card: Card) -> str:
    """One vCard, as text (CRLF line ends)."""
    lines = ["BEGIN:VCARD", "VERSION:4.0", f"KIND:{card.kind}",
             "FN:" + escape(_clean(card.full_name) or "Sans nom")]
    if card.kind == "individual":
        lines.append(f"N:{escape(_clean(card.last_name))};{escape(_clean(card.first_name))};;;")
    for organisation in card.organisations:
        if _clean(organisation):
            lines.append("ORG:" + escape(_clean(organisation)))
    if _clean(card.title):
        lines.append("TITLE:" + escape(_clean(card.title)))
    for email in card.emails:
        if _clean(email):
            lines.append("EMAIL;TYPE=work:" + escape(_clean(email)))
    for phone in card.phones:
        if re.search(r"\d", phone or ""):
            lines.append("TEL;VALUE=uri;TYPE=work,voice:" + tel_uri(phone))
    if _clean(card.address):
        # ADR: post office box; extended; street; locality; region; code; country. The
        # address is kept as typed in the street part (French addresses are not split).
        lines.append(f"ADR;TYPE=work:;;{escape(_clean(card.address))};;;;")
    if _clean(card.note):
        lines.append("NOTE:" + escape(_clean(card.note)))
    if card.url:
        lines.append("URL:" + card.url)
    lines.append("END:VCARD")
    return "".join(fold(line) for line in lines)


def render_all(cards) -> str:
    """Several vCards, one after the other, in one ``.vcf`` file."""
    return "".join(render(card) for card in cards)


def filename(name: str) -> str:
    return f"{slugify(name, 60)}.vcf"
