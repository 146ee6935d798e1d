"""Outside contacts: private to the organisation that keeps them, shareable with a group;
kept by its editors and admins; imported from CSV all or nothing."""
import io

from sqlalchemy import func, select

from intranet.contacts import services
from intranet.contacts.models import OutsideContact
from intranet.core.types import Role
from intranet.extensions import db
from intranet.spaces import services as spaces

from .. import factories
from ..helpers import visible_text

VALUES = {"name": "Cabinet Larroque", "trade": "Architecte", "phone": "05 53 47 12 34",
          "email": "contact@larroque.fr"}


def _world():
    boe, agen = factories.make_org("Boé"), factories.make_org("Agen")
    editor = factories.make_user(boe, Role.EDITOR)
    member = factories.make_user(boe, Role.MEMBER)
    stranger = factories.make_user(agen, Role.ADMIN)
    group = factories.make_group(editor, name="Urbanisme")
    return boe, editor, member, stranger, group


def test_contacts_are_seen_by_the_organisation_and_by_the_group_they_are_shared_with(
        client, new_client):
    boe, editor, member, stranger, group = _world()
    contact = services.save_outside_contact(None, organisation=boe, values=VALUES, space=None,
                                            by=editor)
    url = f"/annuaire/contacts-exterieurs/{contact.id}"
    assert "Cabinet Larroque" in visible_text(new_client(member).get(url))
    outsider = new_client(stranger)
    assert outsider.get(url).status_code == 404
    assert outsider.get(url + ".vcf").status_code == 404
    assert "Cabinet Larroque" not in visible_text(outsider.get("/annuaire/contacts-exterieurs"))
    factories.add_membership(stranger, factories.make_org("Autre"), Role.MEMBER)
    spaces.add_member(group, stranger, by=editor)
    services.save_outside_contact(contact, organisation=boe, values=VALUES, space=group,
                                  by=editor)
    assert "Cabinet Larroque" in visible_text(new_client(stranger).get(
        "/annuaire/contacts-exterieurs"))
    assert new_client(stranger).post(url + "/supprimer").status_code == 403


def test_editors_write_contacts_and_members_may_not(client, new_client):
    boe, editor, member, _, group = _world()
    writer = new_client(editor)
    response = writer.post("/annuaire/contacts-exterieurs/nouveau", data={
        "organisation": str(boe.id), **VALUES, "space": str(group.id)})
    assert response.status_code == 302
    contact = db.session.scalar(select(OutsideContact))
    assert contact.space_id == group.id and contact.created_by_id == editor.id
    refused = writer.post("/annuaire/contacts-exterieurs/nouveau", data={
        "organisation": str(boe.id), "name": "X", "email": "pas-une-adresse"})
    assert "n'est pas valide" in visible_text(refused)
    reader = new_client(member)
    assert reader.get("/annuaire/contacts-exterieurs/nouveau").status_code == 403
    assert reader.post(f"/annuaire/contacts-exterieurs/{contact.id}/supprimer").status_code == 403
    assert writer.post(f"/annuaire/contacts-exterieurs/{contact.id}/supprimer").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(OutsideContact)) == 0


def test_import_is_all_or_nothing_with_errors_by_line_and_column(client, new_client):
    boe, editor, *_ = _world()
    writer = new_client(editor)
    bad = ("nom;courriel;telephone\r\nÉcole Jean-Macé;ecole@agen.fr;05 53 66 20 20\r\n"
           ";x@y.fr;\r\nPlombier;pas-une-adresse;\r\n").encode("cp1252")
    page = visible_text(writer.post("/annuaire/contacts-exterieurs/importer", data={
        "organisation": str(boe.id), "file": (io.BytesIO(bad), "contacts.csv")}))
    assert "rien n'a été importé" in page
    assert "ligne 3, colonne « nom » : le nom est obligatoire." in page
    assert "ligne 4, colonne « courriel »" in page
    assert db.session.scalar(select(func.count()).select_from(OutsideContact)) == 0
    garbage = writer.post("/annuaire/contacts-exterieurs/importer", data={
        "organisation": str(boe.id), "file": (io.BytesIO(b"\x00\xff\xfe"), "x.csv")})
    assert garbage.status_code == 200 and "rien n'a été importé" in visible_text(garbage)
    good = writer.post("/annuaire/contacts-exterieurs/importer", data={
        "organisation": str(boe.id), "file": (io.BytesIO(bad.split(b"\r\n;")[0] + b"\r\n"),
                                              "contacts.csv")})
    assert good.status_code == 302
    exported = writer.get("/annuaire/contacts-exterieurs/export.csv").get_data()
    assert exported.startswith(b"\xef\xbb\xbf")
    assert "École Jean-Macé;;;ecole@agen.fr;05 53 66 20 20" in exported.decode("utf-8-sig")
