"""The only module that imports bleach: every piece of user HTML is cleaned here, on save.

The allow-list keeps ordinary formatting (paragraphs, emphasis, headings, lists, links, tables,
quotes, images from our own server or https) and nothing executable: no script, style, svg,
math, noscript, iframe, form, event handler or inline style — the past mutation-XSS bugs of
HTML sanitisers came through svg, math, noscript and style, so they are not in the list at all.
Rich text is written in one editor everywhere (``static/js/editor.js``), which sends HTML with
the format "html"; without JavaScript the same field is a plain textarea sent with the format
"text", whose Markdown-like text (paragraphs separated by an empty line; Markdown's own marks
are still read, though no hint teaches them) is converted first, then cleaned the same way.
"""
from __future__ import annotations

import functools
import re

import bleach
from markupsafe import Markup
import markdown as markdown_lib

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "strong", "b", "em", "i", "u", "s", "sub", "sup", "small", "mark",
    "blockquote", "q", "cite", "code", "pre", "abbr",
    "h2", "h3", "h4", "h5", "h6",
    "ul", "ol", "li", "dl", "dt", "dd",
    "a", "img", "figure", "figcaption",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
})
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title"],
    "img": ["src", "alt", "width", "height"],
    "abbr": ["title"],
    "th": ["scope", "colspan", "rowspan"],
    "td": ["colspan", "rowspan"],
    "ol": ["start"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto", "tel"})
_IMAGE_SOURCE = re.compile(r"^(https://|/(?!/))", re.IGNORECASE)
_NUMBER = re.compile(r"^\d{1,4}$")

FORMATS = ("text", "html")

_cleaner = bleach.Cleaner(tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                          protocols=ALLOWED_PROTOCOLS, strip=True, strip_comments=True)


def clean_html(html: str) -> str:
    """Sanitised HTML, safe to render with ``|safe``."""
    cleaned = _cleaner.clean(html or "")
    return _restrict_attribute_values(cleaned)


def _restrict_attribute_values(html: str) -> str:
    """Second pass with stricter rules bleach's allow-list cannot express: images only from
    our own server or https, numeric sizes and spans."""
    def check_img(match: re.Match) -> str:
        tag = match.group(0)
        src = re.search(r'\ssrc="([^"]*)"', tag)
        if src is None or not _IMAGE_SOURCE.match(src.group(1)):
            return ""
        return tag
    html = re.sub(r"<img\b[^>]*>", check_img, html)

    def check_number(match: re.Match) -> str:
        return match.group(0) if _NUMBER.match(match.group(2)) else ""
    return re.sub(r'\s(width|height|colspan|rowspan|start)="([^"]*)"', check_number, html)


def text_to_html(text: str) -> str:
    """Markdown-like text typed in the plain textarea → sanitised HTML."""
    rendered = markdown_lib.markdown(text or "", extensions=["tables", "sane_lists", "nl2br"],
                                     output_format="html")
    return clean_html(rendered)


_CACHED_TEXT_CHARS = 20_000   # longer texts are converted each time (the cache stays small)


def text_markup(text: str) -> Markup:
    """``text_to_html`` for a template (the ``text_html`` filter): sanitised here, so shown as
    HTML and not escaped once more (which printed the tags to the reader). A function of the
    text alone, so each process keeps the last texts it converted: Markdown and the sanitiser
    cost more than the rest of a job offer's page, or of a form showing a text's preview."""
    text = text or ""
    if len(text) > _CACHED_TEXT_CHARS:
        return Markup(text_to_html(text))
    return _converted(text)


@functools.lru_cache(maxsize=256)
def _converted(text: str) -> Markup:
    return Markup(text_to_html(text))


def known_format(body_format) -> str:
    """The format a form or a caller sent, as one of ``FORMATS``: anything else is text (a
    forged or stale value is never an error, and never a 500)."""
    return body_format if body_format in FORMATS else "text"


def to_html(body: str, body_format: str) -> str:
    return clean_html(body) if body_format == "html" else text_to_html(body)


def source_and_html(body: str, body_format: str) -> tuple[str, str, str]:
    """(source to keep, sanitised HTML, format) of what the author sent: HTML is kept only once
    cleaned, so nothing unsafe is ever stored; text is kept as typed."""
    body_format = known_format(body_format)
    html = to_html(body or "", body_format)
    return (html if body_format == "html" else (body or "")), html, body_format


def to_text(html: str) -> str:
    """Visible text of sanitised HTML (for search, feeds summaries and mail)."""
    text = bleach.clean(re.sub(r"</(p|li|h\d|tr|blockquote|pre)>|<br\s*/?>", "\n", html or ""),
                        tags=set(), strip=True)
    text = (text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
            .replace("&quot;", '"').replace("&#39;", "'").replace("&nbsp;", " "))
    return re.sub(r"\n{3,}", "\n\n", text).strip()
