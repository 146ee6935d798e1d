"""Organisation A's ads for the route matrix: a personal ad of A's member that expired (only
that member sees it: ``CONTENT``) and an ad of A that is done, with a photo (only A's editors
and admins see it: ``DRAFT``, not even A's plain members)."""
from datetime import timedelta

from intranet.ads import services
from intranet.core.timeutil import utcnow
from intranet.extensions import db

from .builders import ad_data, jpeg


def build(world):
    expired = services.create_ad(world["org_a"], ad_data(f"Remorque {world['CONTENT']}",
                                                         description=world["CONTENT"]),
                                 personal=True, by=world["a_member"])
    expired.expires_at = utcnow() - timedelta(days=1)
    done = services.create_ad(world["org_a"], ad_data(f"Tables {world['DRAFT']}",
                                                      visibility="network"),
                              personal=False, by=world["a_admin"], files=[(jpeg(), "table.jpg")])
    services.mark_done(done, by=world["a_admin"])
    db.session.commit()
    services.note_expired()
    world["insider_urls"].append(f"/annonces/{expired.id}")
    world["draft_urls"] += [f"/annonces/{done.id}", "/annonces/mes-annonces"]
    return {
        ("ads", "ad_id"): [expired.id, done.id],
        ("ads", "photo_id"): [done.photos[0].id],
        ("ads", "taille"): ["vignette"],
        # a link that cannot renew (its ad is done): the walks never change A's rows
        ("ads", "token"): [services.renewal_token(done), "jeton-inconnu"],
    }
