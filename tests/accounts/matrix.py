"""Organisation A's account security for the route matrix: a live session of A's member, and
A's member's second factors (an app, a passkey, a trusted browser, recovery codes), which
nobody else may see, end, remove or reset (only the platform admin resets them:
STRUCTURE_TABLES)."""
from intranet.accounts import sessions
from intranet.accounts.mfa import services as mfa
from intranet.accounts.mfa.models import Passkey
from intranet.extensions import db

from ..helpers import TEST_TOTP_SECRET


def build(world):
    member = world["a_member"]
    sessions.open_session(member)
    record = sessions.active_sessions(member)[0]
    mfa.set_totp_secret(member, TEST_TOTP_SECRET)
    mfa.regenerate_recovery_codes(member)
    key = Passkey(user_id=member.id, credential_id=b"cle-de-a", public_key=b"-",
                  name=f"Clé {world['CONTENT']}")
    db.session.add(key)
    db.session.commit()
    mfa.trust_browser(member, user_agent="Firefox", ip="127.0.0.1")
    browser = mfa.trusted_browsers(member)[0]
    membership = member.memberships[0]
    return {
        ("accounts", "session_id"): [record.id],
        ("mfa", "slug"): [world["org_a"].slug],
        ("mfa", "membership_id"): [membership.id],
        ("mfa", "passkey_id"): [key.id],
        ("mfa", "browser_id"): [browser.id],
    }
