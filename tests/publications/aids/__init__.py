"""Tests of the aids directory: who sees which aid, writing them, filters, feeds, export."""
from datetime import date

from intranet.publications.aids import services
from intranet.core.types import Visibility


def aid_data(title: str = "Aide aux équipements sportifs", **fields) -> services.AidData:
    values = dict(title=title, description=f"Description de {title}.",
                  beneficiaries=["communes"], themes=["sport"], closes_on=date(2099, 12, 31),
                  visibility=Visibility.PUBLIC)
    values.update(fields)
    return services.AidData(**values)


def make_aid(org, editor, title: str = "Aide aux équipements sportifs", publish: bool = True,
             **fields):
    aid = services.create_aid(org, aid_data(title, **fields), by=editor)
    if publish:
        services.publish(aid, by=editor)
    return aid
