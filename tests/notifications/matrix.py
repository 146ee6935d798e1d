"""A notification of A's member, carrying A's private content."""
from intranet.extensions import db
from intranet.notifications import services


def build(world):
    note, = services.notify([world["a_member"]], "space.join_request",
                            f"Demande {world['CONTENT']}", url="/")
    db.session.commit()
    world["insider_urls"].append("/notifications/")
    return {("notifications", "note_id"): [note.id]}
