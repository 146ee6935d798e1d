"""Reading pages as a person would."""
import html
import re
from contextlib import contextmanager


def text(response) -> str:
    """The page's markup with entities decoded (« n'est » rather than « n&#39;est »)."""
    return html.unescape(response.get_data(as_text=True))


def visible_text(response) -> str:
    """What a person reads: the page without its tags, white space collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    body = re.sub(r"</?(a|strong|em|b|i|span|abbr|code|time|mark)\b[^>]*>", "", body)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def count_queries(client, url: str, *, reach_kept: bool = False,
                  counters_kept: bool = False, values_kept: bool = False) -> int:
    """How many SQL statements the application runs to serve ``url``: by default as the
    process's first page for the person (their reach read, not taken from what the process
    kept, ``access.reach``; the header's counters read by their own statement,
    ``hooks.header_counters``; the values pages keep, ``generations.kept``, computed), so that
    two counts compare alike."""
    from sqlalchemy import event

    from intranet import access
    from intranet.core import generations, hooks
    from intranet.extensions import db
    statements = []
    if not reach_kept:
        access.forget_kept_reaches()
    if not counters_kept:
        hooks.forget_kept_params()
    if not values_kept:
        generations.forget_kept()

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


# --- the second factor ---------------------------------------------------------------------------

SECOND_FACTOR_STEP = "/connexion/second-facteur"
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def second_factor_code(user_id: int) -> str:
    """A code the person's authenticator app would show now: their app is enrolled first
    (with ``TEST_TOTP_SECRET``) if they have none, and the last step used is forgotten, so that
    the same person may sign in several times within 30 seconds (tests only)."""
    import pyotp

    from intranet.accounts.mfa import services as mfa
    from intranet.accounts.mfa.models import TotpDevice
    from intranet.accounts.models import User
    from intranet.extensions import db
    device = db.session.get(TotpDevice, user_id)
    if device is None or device.confirmed_at is None:
        mfa.set_totp_secret(db.session.get(User, user_id), TEST_TOTP_SECRET)
        device = db.session.get(TotpDevice, user_id)
    device.last_used_step = None
    db.session.commit()
    return pyotp.TOTP(device.secret).now()


def asks_second_factor(response) -> bool:
    return (response.status_code == 302
            and response.headers.get("Location", "").split("?")[0].startswith(SECOND_FACTOR_STEP))


def pass_second_factor(client, response, email: str, *, csrf_token: str | None = None):
    """After the password: the second factor with the app's code when it is asked (admins,
    or outside the trusted networks). Returns the last response."""
    if not asks_second_factor(response):
        return response
    from sqlalchemy import select

    from intranet.accounts.models import User
    from intranet.extensions import db
    user_id = db.session.scalar(select(User.id).where(User.email == email))
    data = {"code": second_factor_code(user_id)}
    if csrf_token:
        data["csrf_token"] = csrf_token
    return client.post(SECOND_FACTOR_STEP, data=data)


@contextmanager
def recorded_statements():
    """The SQL statements the database is sent inside the block."""
    from sqlalchemy import event

    from intranet.extensions import db
    seen = []

    def listener(conn, cursor, statement, *args):
        seen.append(statement)
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
