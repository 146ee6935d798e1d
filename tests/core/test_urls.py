"""The templates' ``url_for`` (core/urls.py): memoised, bound to the request, and giving the
address Flask's own ``url_for`` gives."""
from __future__ import annotations

from flask import render_template_string, url_for
from markupsafe import Markup

from intranet.core import urls

LINKS = ("{{ url_for('privacy.notice') }}|{{ url_for('spaces.show', slug='agen') }}|"
         "{{ url_for('spaces.show', slug='l\\'isle é') }}|{{ url_for('privacy.notice', page=2) }}|"
         "{{ url_for('privacy.notice', _anchor='droits') }}|{{ url_for('privacy.notice', x=[1, 2]) }}|"
         "{{ url_for('privacy.notice', x=['a'], y='b') }}|{{ url_for('privacy.notice', x=[1.5]) }}")


def _flask_links() -> str:
    return "|".join(str(link) for link in (
        url_for("privacy.notice"), url_for("spaces.show", slug="agen"),
        url_for("spaces.show", slug="l'isle é"), url_for("privacy.notice", page=2),
        url_for("privacy.notice", _anchor="droits"), url_for("privacy.notice", x=[1, 2]),
        url_for("privacy.notice", x=["a"], y="b"), url_for("privacy.notice", x=[1.5])))


def test_links_are_flasks_under_any_script_root(app):
    app.extensions["template_urls"].clear()
    for root in ("", "/intranet", "", "/autre"):
        for _ in range(2):   # the second time from the memo
            with app.test_request_context("/", base_url=f"http://localhost{root}/"):
                rendered = Markup(render_template_string(LINKS)).unescape()
                assert rendered == _flask_links()
                assert rendered.startswith(f"{root}/donnees-personnelles|{root}/espaces/agen|")
    assert len(app.extensions["template_urls"]) == 6 * 3   # six kept links, three roots


def test_a_relative_endpoint_is_the_requests_blueprint(app):
    with app.test_request_context("/espaces/agen"):
        from flask import request
        assert request.blueprint == "spaces"
        assert render_template_string("{{ url_for('.show', slug='x') }}") == "/espaces/x"


def test_in_a_macro(app):
    with app.test_request_context("/"):
        macro = ("{% macro link() %}{{ url_for('privacy.notice') }}{% endmacro %}"
                 "{{ link() }}")
        assert render_template_string(macro) == "/donnees-personnelles"


def test_the_memo_is_bounded(app, monkeypatch):
    monkeypatch.setattr(urls, "TEMPLATE_URLS_MAX", 3)
    app.extensions["template_urls"].clear()
    with app.test_request_context("/"):
        for n in range(10):
            assert render_template_string("{{ url_for('spaces.show', slug=n) }}", n=f"s{n}") \
                == f"/espaces/s{n}"
            assert len(app.extensions["template_urls"]) <= 3
