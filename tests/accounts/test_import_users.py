from sqlalchemy import func, select

from intranet.accounts import services
from intranet.accounts.models import User
from intranet.core.types import Role
from intranet.core.csvimport import CsvImportError
from intranet.extensions import db
from intranet.mail.models import OutboxMessage

from .. import factories


def test_users_are_created_in_their_organisations_and_invited():
    admin = factories.make_user(platform_admin=True)
    agen = factories.make_org("Agen", insee_code="47001")
    agme = factories.make_org("Agmé", insee_code="47002")
    count = services.import_users(
        "email;prenom;nom;organisation;role;fonction\n"
        "a.martin@agen.fr;Anne;Martin;47001;administrateur;DGS\n"
        "b.roux@agme.fr;Benoît;Roux;47002;;Secrétaire de mairie\n", by=admin)
    assert count == 2
    anne = services.find_user("a.martin@agen.fr")
    assert anne.memberships[0].organisation == agen and anne.memberships[0].role == Role.ADMIN
    assert services.find_user("b.roux@agme.fr").memberships[0].organisation == agme
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2


def test_one_bad_line_refuses_the_whole_file_with_line_and_column():
    admin = factories.make_user(platform_admin=True)
    factories.make_org("Agen", insee_code="47001")
    factories.make_user(email="existe@agen.fr")
    try:
        services.import_users(
            "email,prenom,nom,organisation,role\n"
            "ok@agen.fr,Ok,Ok,47001,membre\n"
            "pas-une-adresse,X,Y,47001,membre\n"
            "existe@agen.fr,E,E,47001,membre\n"
            "z@agen.fr,Z,Z,99999,chef\n", by=admin)
    except CsvImportError as exc:
        messages = [str(p) for p in exc.problems]
    else:
        raise AssertionError("the file should have been refused")
    assert any(m.startswith("ligne 3, colonne « email »") for m in messages)
    assert "ligne 4, colonne « email » : existe@agen.fr a déjà un compte." in messages
    assert any(m.startswith("ligne 5, colonne « organisation » : organisation « 99999 » introuvable")
               for m in messages)
    assert any(m.startswith("ligne 5, colonne « role » : rôle « chef » inconnu") for m in messages)
    assert db.session.scalar(select(func.count()).select_from(User)) == 2
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
