"""Nothing executable survives the sanitiser; ordinary formatting does."""
import re

import pytest

from intranet.core import sanitize
from intranet.core.sanitize import clean_html, text_to_html, to_text

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//xss.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"javascript:alert(1)\">",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)>",
    "<svg><g/onload=alert(2)//<p>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<style>@import 'http://xss.example/x.css';</style>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<p style=\"width: expression(alert(1))\">x</p>",
    "<iframe src=\"https://xss.example\"></iframe>",
    "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
    "<form action=\"https://xss.example\"><input name=q><button>go</button></form>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<p onmouseover=\"alert(1)\">survol</p>",
    "<table><tr><td background=\"javascript:alert(1)\">x</td></tr></table>",
    "<<script>script>alert(1)<</script>/script>",
    "<img src=`x`onerror=alert(1)>",
    "<a href=\"https://ok.example\" onclick=\"alert(1)\">x</a>",
    "<base href=\"https://xss.example/\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<link rel=stylesheet href=\"https://xss.example/x.css\">",
    "<!--<img src=x onerror=alert(1)>-->",
    "<p>unclosed <b>bold <i>nesting</p></b>",
    "<img src=\"//xss.example/x.png\">",
]

DANGEROUS = re.compile(r"<\s*(script|style|svg|math|iframe|object|embed|form|input|button|base|"
                       r"meta|link|body|noscript|details)\b|\son\w+\s*=|javascript:|vbscript:|"
                       r"data:text|expression\(|style\s*=", re.IGNORECASE)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_nothing_executable_survives(payload):
    cleaned = clean_html(payload)
    assert not DANGEROUS.search(cleaned), cleaned
    assert not DANGEROUS.search(text_to_html(payload)), text_to_html(payload)


def test_protocol_relative_images_are_dropped_and_ours_kept():
    assert "<img" not in clean_html('<img src="//xss.example/x.png">')
    kept = clean_html('<img src="/espaces/a/pages/1/pieces/2" alt="Plan">')
    assert 'src="/espaces/a/pages/1/pieces/2"' in kept and 'alt="Plan"' in kept


def test_ordinary_formatting_survives():
    html = ("<h2>Ordre du jour</h2><p><strong>Gras</strong>, <em>italique</em> et "
            "<a href=\"https://www.lotetgaronne.fr\" title=\"Site\">un lien</a>.</p>"
            "<ul><li>un</li><li>deux</li></ul><ol start=\"3\"><li>trois</li></ol>"
            "<blockquote>cité</blockquote>"
            "<table><caption>Budget</caption><thead><tr><th scope=\"col\">Poste</th></tr></thead>"
            "<tbody><tr><td colspan=\"2\">Voirie</td></tr></tbody></table>"
            "<p><a href=\"mailto:mairie@agen.fr\">écrire</a></p>")
    assert clean_html(html) == html


def test_markdown_like_text_becomes_formatting():
    html = text_to_html("## Titre\n\n**gras** et *italique*\n\n- un\n- deux\n\n"
                        "[site](https://www.lotetgaronne.fr)")
    assert "<h2>Titre</h2>" in html and "<strong>gras</strong>" in html
    assert "<em>italique</em>" in html and "<li>un</li>" in html
    assert '<a href="https://www.lotetgaronne.fr">site</a>' in html


def test_raw_html_typed_as_text_is_cleaned_too():
    assert "<script" not in text_to_html("Bonjour <script>alert(1)</script>")


def test_visible_text_for_search_and_mail():
    assert to_text("<p>A &amp; B</p><ul><li>un</li></ul>") == "A & B\n\nun"


def test_a_text_shown_again_is_converted_once_and_a_long_one_each_time(monkeypatch):
    """The ``text_html`` filter keeps the texts it converted (a page shown again does not run
    Markdown and the sanitiser again); a text too long to keep is converted every time, the
    same way; what is typed as script is cleaned whichever the path."""
    converted = []
    real = sanitize.text_to_html
    monkeypatch.setattr(sanitize, "text_to_html", lambda text: converted.append(text) or real(text))
    sanitize._converted.cache_clear()
    short = "Profil : **rigueur** <script>alert(1)</script>\n\nÀ bientôt."
    first, again = sanitize.text_markup(short), sanitize.text_markup(short)
    assert first == again and "<strong>rigueur</strong>" in first and "<script" not in first
    assert converted.count(short) == 1
    long = "Un paragraphe. " * 2000 + "<script>x()</script>"
    assert sanitize.text_markup(long) == sanitize.text_markup(long)
    assert converted.count(long) == 2 and "<script" not in sanitize.text_markup(long)
    assert sanitize.text_markup(None) == sanitize.text_markup("") == ""
