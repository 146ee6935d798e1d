"""A live session of A's member: nobody else may end it."""
from intranet.accounts import sessions
from intranet.extensions import db


def build(world):
    sessions.open_session(world["a_member"])
    record = sessions.active_sessions(world["a_member"])[0]
    db.session.commit()
    return {("accounts", "session_id"): [record.id]}
