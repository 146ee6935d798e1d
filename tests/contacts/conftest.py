"""A small Agglomération d'Agen: two of its communes and one elsewhere, their secretaries, a
mayor, and people's choices of what the network sees."""
import pytest

from intranet.accounts.models import OrgKind, PersonFunction
from intranet.core.types import Role
from intranet.extensions import db

from .. import factories


def person(org, function, role=Role.MEMBER, *, first_name="Prénom", last_name=None, phone="",
           **shown):
    made = factories.make_user(org, role, first_name=first_name, last_name=last_name)
    made.function_kind, made.phone = function, phone
    for name, value in shown.items():
        setattr(made, name, value)
    db.session.commit()
    return made


@pytest.fixture
def agglo():
    epci = factories.make_org("CA Agglomération d'Agen", OrgKind.EPCI)
    boe = factories.make_org("Boé", epci=epci)
    astaffort = factories.make_org("Astaffort", epci=epci)
    elsewhere = factories.make_org("Marmande", epci=factories.make_org("Val de Garonne",
                                                                       OrgKind.EPCI))
    return {
        "epci": epci, "boe": boe, "astaffort": astaffort, "elsewhere": elsewhere,
        "sandrine": person(boe, PersonFunction.SECRETARY, first_name="Sandrine",
                           last_name="Lafitte", phone="05 53 00 00 01"),
        "helene": person(astaffort, PersonFunction.SECRETARY, Role.ADMIN, first_name="Hélène",
                         last_name="Dézès", phone="05 53 00 00 02", show_phone=True),
        "hidden": person(astaffort, PersonFunction.SECRETARY, first_name="Paul",
                         last_name="Discret", show_function=False, show_email=False),
        "mayor": person(boe, PersonFunction.MAYOR, Role.ADMIN, first_name="Bernard",
                        last_name="Castaing"),
        "other": person(elsewhere, PersonFunction.SECRETARY, first_name="Agnès",
                        last_name="Ailleurs"),
    }
