"""`flask import organisations`: the real communes file, the generic layout, and refusals that
name the line and the column and import nothing."""
from pathlib import Path

from sqlalchemy import func, select

from intranet.accounts.models import Organisation, OrgKind
from intranet.extensions import db
from intranet.spaces.models import Space, SpaceKind

COMMUNES = Path(__file__).resolve().parents[2] / "intranet" / "data" / "communes-47.csv"


def _count(*where):
    return db.session.scalar(select(func.count()).select_from(Organisation).where(*where))


def test_the_communes_of_lot_et_garonne_are_imported_with_their_epcis(runner, tmp_path):
    result = runner.invoke(args=["import", "organisations", str(COMMUNES)])
    assert result.exit_code == 0, result.output
    assert "331 organisations créées" in result.output
    assert _count(Organisation.kind == OrgKind.COMMUNE) == 319
    assert _count(Organisation.kind == OrgKind.EPCI) == 12
    agen = db.session.scalar(select(Organisation).where(Organisation.insee_code == "47001"))
    assert agen.name == "Agen" and agen.epci.name == "CA Agglomération d'Agen"
    assert agen.population == 32988
    # every organisation has its private space
    assert db.session.scalar(select(func.count()).select_from(Space)
                             .where(Space.kind == SpaceKind.ORGANISATION)) == 331
    # importing again updates, creates nothing
    again = runner.invoke(args=["import", "organisations", str(COMMUNES)])
    assert "0 organisations créées, 331 mises à jour" in again.output


def test_a_bad_line_is_reported_with_line_and_column_and_nothing_is_imported(runner, tmp_path):
    lines = COMMUNES.read_text(encoding="utf-8").splitlines()
    broken = lines[5].split(",")
    broken[0] = "4700X1"          # code_insee
    lines[5] = ",".join(broken)
    path = tmp_path / "communes.csv"
    path.write_text("\n".join(lines[:20]), encoding="utf-8")
    result = runner.invoke(args=["import", "organisations", str(path)])
    assert result.exit_code == 1
    assert "ligne 6, colonne « code_insee » : « 4700X1 » n'est pas un code INSEE" in result.output
    assert _count() == 0


def test_generic_layout_with_semicolons_from_a_spreadsheet(runner, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_bytes("type;nom;siren;siren_epci;population\n"
                     "epci;CC Exemple;200000172;;\n"
                     "commune;Saint-Exemple;210000022;200000172;1 234\n".encode("cp1252"))
    result = runner.invoke(args=["import", "organisations", str(path)])
    assert result.exit_code == 0, result.output
    commune = db.session.scalar(select(Organisation).where(Organisation.name == "Saint-Exemple"))
    assert commune.epci.name == "CC Exemple" and commune.population == 1234


def test_unknown_type_missing_column_and_bad_siren_are_each_explained(runner, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text("type,nom,siren\nmairie,Quelque part,123456789\n", encoding="utf-8")
    result = runner.invoke(args=["import", "organisations", str(path)])
    assert "ligne 2, colonne « type » : type « mairie » inconnu" in result.output
    assert "ligne 2, colonne « siren » : « 123456789 » : Ce SIREN n'existe pas : sa clé de contrôle" in result.output
    path.write_text("kind,name\ncommune,X\n", encoding="utf-8")
    result = runner.invoke(args=["import", "organisations", str(path)])
    assert "ligne 1, colonne « type » : colonne obligatoire absente" in result.output
    assert _count() == 0


def test_a_line_with_a_missing_separator_is_reported(runner, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text('type,nom,siren\ncommune,"Sans fin,210000022\n', encoding="utf-8")
    result = runner.invoke(args=["import", "organisations", str(path)])
    assert result.exit_code == 1
    assert "ligne" in result.output and _count() == 0
