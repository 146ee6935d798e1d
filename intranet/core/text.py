"""Small text helpers."""
import re
import unicodedata


def fold(value: str) -> str:
    """Lower case without accents: « Délibération » → « deliberation »."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def slugify(value: str, max_length: int = 70) -> str:
    """« Saint-Étienne-de-Fougères » → « saint-etienne-de-fougeres »."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(value)).strip("-")
    return slug[:max_length].rstrip("-") or "sans-nom"


def unique_slug(base: str, exists) -> str:
    """``base`` or ``base-2``, ``base-3``… whichever ``exists(slug)`` says is free."""
    slug = slugify(base)
    candidate, n = slug, 1
    while exists(candidate):
        n += 1
        candidate = f"{slug}-{n}"
    return candidate


def of(name: str) -> str:
    """« de » before a name, elided before a vowel: « d'Agen », « de Boé » (an h is left alone:
    « de Houeillès »)."""
    first = fold(name[:1])
    return f"d'{name}" if first and first in "aeiouy" else f"de {name}"
