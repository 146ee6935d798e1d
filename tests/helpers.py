"""Reading pages as a person would."""
import html
import re


def text(response) -> str:
    """The page's markup with entities decoded (« n'est » rather than « n&#39;est »)."""
    return html.unescape(response.get_data(as_text=True))


def visible_text(response) -> str:
    """What a person reads: the page without its tags, white space collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    body = re.sub(r"</?(a|strong|em|b|i|span|abbr|code|time|mark)\b[^>]*>", "", body)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def count_queries(client, url: str) -> int:
    """How many SQL statements the application runs to serve ``url``."""
    from sqlalchemy import event

    from intranet.extensions import db
    statements = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)
    with client.application.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200, f"{url} → {response.status_code}"
    return len(statements)


def sends_to_sign_in(response, path: str | None = None) -> bool:
    """The answer a signed-out visitor gets for an address they may not see (or that does not
    exist): the sign-in page, then back to ``path`` (``access.must_sign_in_first``)."""
    from urllib.parse import parse_qs, urlsplit
    location = urlsplit(response.headers.get("Location", ""))
    back = parse_qs(location.query).get("next", [""])[0]
    return (response.status_code == 302 and location.path == "/connexion"
            and (path is None or back == path))
