"""Small worlds for the job exchange's tests."""
from datetime import timedelta

from intranet.accounts.models import OrgKind
from intranet.core.timeutil import today_paris
from intranet.core.types import Role, Visibility
from intranet.jobs import services
from intranet.jobs.services import OfferData, month_after

from .. import factories

PDF = b"%PDF-1.4\n% cv de test\n"


def employers():
    town = factories.make_org("Commune de Layrac", insee_code="47145")
    other = factories.make_org("Commune de Nérac")
    cdg = factories.make_org("Centre de gestion", kind=OrgKind.CENTRE_GESTION)
    return {
        "town": town, "other": other, "cdg": cdg,
        "admin": factories.make_user(town, Role.ADMIN, last_name="Maire"),
        "editor": factories.make_user(town, Role.EDITOR, last_name="Secrétaire"),
        "member": factories.make_user(town, Role.MEMBER, last_name="Agent"),
        "cdg_editor": factories.make_user(cdg, Role.EDITOR, last_name="Conseillère"),
        "cdg_member": factories.make_user(cdg, Role.MEMBER, last_name="Stagiaire"),
        "other_admin": factories.make_user(other, Role.ADMIN, last_name="Voisin"),
    }


def offer_data(world, **fields) -> OfferData:
    today = today_paris()
    data = OfferData(
        title="Secrétaire de mairie", service="Secrétariat général",
        missions="Préparer les conseils municipaux, l'état civil, le budget.",
        profile="Connaissance des collectivités, rigueur.", filiere="administrative",
        cadre="Adjoints administratifs territoriaux",
        grades=["adjoint administratif", "adjoint administratif principal de 2e classe"],
        origin="vacancy", employment="permanent", full_time=True, place=world["town"],
        vacancy_date=today + timedelta(days=40), closes_on=month_after(today) + timedelta(days=3),
        how_to_apply="Lettre et CV à M. le Maire.", salary="Grille indiciaire + RIFSEEP",
        salary_min=1900, salary_max=2300, contact_email="mairie@layrac.fr",
        visibility=Visibility.PUBLIC)
    for name, value in fields.items():
        setattr(data, name, value)
    return data


def published_offer(world, **fields):
    offer = services.create_offer(world["town"], offer_data(world, **fields), by=world["editor"])
    services.publish(offer, by=world["editor"])
    return offer
