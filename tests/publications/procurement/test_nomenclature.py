"""Procurement nomenclatures: importing them (CLI and upload page), browsing and searching."""
import io
import time
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from intranet.accounts.models import OrgKind
from intranet.core.types import Role
from intranet.extensions import db
from intranet.publications.procurement import services
from intranet.publications.procurement.models import Nomenclature, NomenclatureCode

from ... import factories
from ...helpers import text

CPV = Path("/work/shared/data/reference/cpv-2008-en.csv")
if not CPV.exists():  # the shared data beside the repository, wherever it is checked out
    CPV = Path(__file__).resolve().parents[4] / "shared/data/reference" / CPV.name

FAMILIES = ("code;libelle;parent\n"
            "T;Travaux;\n"
            "T01;Voirie et réseaux;T\n"
            "T0101;Éclairage public;T01\n"
            "F;Fournitures;\n"
            "F01;Fournitures de bureau;F\n")


def _codes() -> int:
    return db.session.scalar(select(func.count()).select_from(NomenclatureCode))


def _nomenclatures() -> int:
    return db.session.scalar(select(func.count()).select_from(Nomenclature))


# --- importing -----------------------------------------------------------------------------------


def test_the_real_cpv_file_imports_quickly_with_a_correct_tree(runner, client, capsys):
    started = time.perf_counter()
    result = runner.invoke(args=["import", "nomenclature", "CPV 2008", str(CPV)])
    elapsed = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    assert "9454 codes" in result.output
    with capsys.disabled():
        print(f"\n[CPV 2008 import: 9,454 codes in {elapsed:.2f} s]")
    assert elapsed < 30

    cpv = db.session.scalar(select(Nomenclature).where(Nomenclature.name == "CPV 2008"))
    assert cpv.code_count == 9454 and _codes() == 9454
    division = services.find_code(cpv, "03000000-1")
    assert division.parent_id is None and division.level == 1 and division.child_count == 4
    assert [c.code for c in services.children(cpv, division)] == [
        "03100000-2", "03200000-3", "03300000-2", "03400000-4"]
    seeds = services.find_code(cpv, "03111000-2")
    assert seeds.level == 4
    assert [a.code for a in services.ancestors(seeds)] == ["03000000-1", "03100000-2",
                                                           "03110000-5"]
    assert len(services.children(cpv, None)) == 45   # the divisions

    page = text(client.get(f"/marches/nomenclatures/{cpv.slug}/03000000-1"))
    assert "03100000-2" in page and "Agricultural and horticultural products" in page
    crumbs = text(client.get(f"/marches/nomenclatures/{cpv.slug}/03111000-2"))
    assert "03110000-5" in crumbs.split("<h1>")[0]


def test_importing_the_same_file_again_changes_nothing_and_keeps_the_codes(runner):
    for _ in range(2):
        result = runner.invoke(args=["import", "nomenclature", "CPV 2008", str(CPV)])
        assert result.exit_code == 0, result.output
    assert "0 ajoutés, 0 modifiés, 0 supprimés" in result.output
    assert _codes() == 9454 and _nomenclatures() == 1


def test_a_level_of_the_tree_is_rendered_without_a_query_per_code(app, client):
    services.import_nomenclature("CPV 2008", CPV.read_bytes())
    statements = []

    def count(*args):
        statements.append(args[2])
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            root = client.get("/marches/nomenclatures/cpv-2008")
            before = len(statements)
            node = client.get("/marches/nomenclatures/cpv-2008/45000000-7")
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert root.status_code == 200 and text(root).count("/marches/nomenclatures/cpv-2008/") >= 45
    assert before <= 6
    assert node.status_code == 200 and len(statements) - before <= 8


def test_a_file_with_an_unknown_parent_is_refused_with_its_line_and_imports_nothing(runner,
                                                                                   tmp_path):
    path = tmp_path / "familles.csv"
    path.write_text(FAMILIES + "F02;Mobilier;X99\n", encoding="utf-8")
    result = runner.invoke(args=["import", "nomenclature", "Familles d'achat", str(path)])
    assert result.exit_code == 1
    assert "rien n'a été importé" in result.output
    assert "ligne 7, colonne « parent » : code parent « X99 » inconnu" in result.output
    assert _nomenclatures() == 0 and _codes() == 0


def test_an_unknown_cpv_parent_is_refused_with_its_line(tmp_path):
    lines = CPV.read_text(encoding="utf-8").splitlines()[:5]
    lines[3] = lines[3].replace(",03100000,", ",03999999,")
    with pytest.raises(services.CsvImportError) as refused:
        services.import_nomenclature("CPV 2008", "\n".join(lines))
    assert [(p.line, p.column) for p in refused.value.problems] == [(4, "parent_code8")]
    assert "« 03999999 » inconnu" in str(refused.value)
    assert _nomenclatures() == 0 and _codes() == 0


@pytest.mark.parametrize("content, expected", [
    ("code;libelle;parent\nA;Un;\nA;Deux;\n",
     "ligne 3, colonne « code » : code « A » déjà présent ligne 2"),
    ("code;libelle;parent\nA;;\n", "ligne 2 : le libellé est vide"),
    ("code;libelle;parent\nA;Un;B\nB;Deux;A\n", "boucle dans les parents"),
    ("code;libelle;parent\nA/1;Un;\n", "n'est pas un code valide"),
    ("code;nom\nA;Un\n", "colonne obligatoire absente"),
])
def test_a_faulty_file_is_refused_in_french(content, expected):
    with pytest.raises(services.CsvImportError) as refused:
        services.import_nomenclature("Familles", content)
    assert expected in str(refused.value)
    assert _nomenclatures() == 0 and _codes() == 0


def test_reimport_updates_labels_keeps_identities_and_removes_absent_codes():
    services.import_nomenclature("Familles", FAMILIES)
    nomenclature = db.session.scalar(select(Nomenclature))
    lighting = services.find_code(nomenclature, "T0101").id
    services.import_nomenclature("Familles", FAMILIES.replace("Éclairage public",
                                                              "Éclairage public et signalisation")
                                 .replace("F01;Fournitures de bureau;F\n", ""))
    db.session.expire_all()
    node = services.find_code(nomenclature, "T0101")
    assert node.id == lighting and node.label == "Éclairage public et signalisation"
    assert services.find_code(nomenclature, "F01") is None
    assert services.find_code(nomenclature, "F").child_count == 0


# --- who imports ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who, status", [("platform_admin", 302), ("council_editor", 302),
                                         ("council_member", 403), ("commune_admin", 403)])
def test_the_upload_page_is_for_the_platform_admin_and_the_council_editors(client, login, who,
                                                                           status):
    council = factories.make_org("Département", kind=OrgKind.DEPARTEMENT)
    person = {"platform_admin": lambda: factories.make_user(platform_admin=True),
              "council_editor": lambda: factories.make_user(council, Role.EDITOR),
              "council_member": lambda: factories.make_user(council, Role.MEMBER),
              "commune_admin": lambda: factories.make_user(factories.make_org("Agen"),
                                                           Role.ADMIN)}[who]()
    login(person)
    response = client.post("/marches/nomenclatures/import", data={
        "name": "Familles d'achat", "file": (io.BytesIO(FAMILIES.encode()), "familles.csv")})
    assert response.status_code == status
    assert _codes() == (5 if status == 302 else 0)


def test_the_upload_page_shows_the_problems_and_imports_nothing(client, login):
    login(factories.make_user(platform_admin=True))
    response = client.post("/marches/nomenclatures/import", data={
        "name": "Familles", "file": (io.BytesIO((FAMILIES + "G1;Gaz;G\n").encode("cp1252")),
                                     "familles.csv")})
    assert response.status_code == 200
    page = text(response)
    assert "rien n'a été importé" in page and "ligne 7" in page and "« G » inconnu" in page
    assert _codes() == 0


def test_anonymous_is_sent_to_the_login_page_for_the_upload(client):
    assert client.get("/marches/nomenclatures/import").status_code == 302


# --- browsing and searching ----------------------------------------------------------------------


def test_the_tree_is_browsed_a_level_at_a_time_with_breadcrumbs(client):
    services.import_nomenclature("Familles d'achat", FAMILIES)
    slug = db.session.scalar(select(Nomenclature.slug))
    root = text(client.get(f"/marches/nomenclatures/{slug}"))
    assert "Travaux" in root and "Fournitures" in root and "Voirie" not in root
    node = text(client.get(f"/marches/nomenclatures/{slug}/T01"))
    assert "Éclairage public" in node and "Fournitures" not in node.split("</nav>", 2)[-1]
    crumbs = node.split("<h1>")[0]
    assert "Familles d'achat" in crumbs and ">T<" in crumbs
    assert client.get(f"/marches/nomenclatures/{slug}/INCONNU").status_code == 404
    assert client.get("/marches/nomenclatures/inconnue").status_code == 404


def test_search_by_code_prefix_or_words_without_accents(client):
    services.import_nomenclature("Familles d'achat", FAMILIES)
    services.import_nomenclature("CPV 2008", CPV.read_bytes())
    slug = db.session.scalar(select(Nomenclature.slug).where(Nomenclature.name != "CPV 2008"))
    assert "Éclairage public" in text(client.get(f"/marches/nomenclatures/{slug}?q=eclairage"))
    assert "Éclairage public" in text(client.get(f"/marches/nomenclatures/{slug}?q=PUBLIC+éclair"))
    by_prefix = text(client.get("/marches/nomenclatures/cpv-2008?q=0311"))
    assert "03111000-2" in by_prefix and "03200000-3" not in by_prefix
    by_words = text(client.get("/marches/nomenclatures/cpv-2008?q=seeds"))
    assert "03111000-2" in by_words
    assert "Aucun code" in text(client.get("/marches/nomenclatures/cpv-2008?q=zzzz"))
