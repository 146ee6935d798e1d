"""The directory (« Annuaire »): people, their vCards and CSV, and the outside contacts.

The organisations' list stays ``/organisations`` (``accounts``), one tab of the directory; each
organisation's page shows its officials and opening hours through the section registered here.
"""
from __future__ import annotations

from dataclasses import astuple

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import access
from ..accounts.models import (ORGANISATIONS, PERSON_FUNCTION_LABELS, Organisation, OrgKind,
                               PersonFunction, User)
from ..core import csvexport, generations
from ..core.csvimport import import_sent
from ..core.feedback import attempt, attempt_in_form
from ..core.hooks import register_organisation_section
from ..core.inputs import int_arg, page_arg, to_int
from ..core.pagination import kept_page, paginate
from ..extensions import db
from ..spaces.models import Space
from . import services, vcard
from .forms import ImportForm, OutsideContactForm
from .models import OutsideContact

bp = Blueprint("contacts", __name__, url_prefix="/annuaire")

register_organisation_section("contacts/_organisation.html")


@bp.app_template_global()
def organisation_officials(org: Organisation, members=None) -> dict:
    """The mayor or president and the secretary of ``org``, as the viewer may read them.
    ``members``: the organisation page's people (``services.organisation_people`` as the
    viewer reads them), when it has read them, so that they are not read again."""
    if not access.can_read_directory(current_user):
        return {"head": [], "secretary": []}
    if members is not None:
        return services.officials_among(members)
    return services.officials(current_user, org)


def _filters() -> services.Filters:
    kind = request.args.get("type", "")
    function = request.args.get("fonction", "")
    return services.Filters(
        q=request.args.get("q", "").strip()[:100],
        kind=OrgKind(kind) if kind in {k.value for k in OrgKind} else None,
        epci_id=int_arg("epci"),
        function=PersonFunction(function) if function in {f.value for f in PersonFunction}
        else None)


def _vcf(body: str, name: str) -> Response:
    return Response(body.encode("utf-8"), headers={
        "Content-Type": "text/vcard; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{vcard.filename(name)}"'})


def _found(filters: services.Filters, limit: int) -> list[User]:
    return db.session.scalars(services.directory_people(current_user, filters).limit(limit)).all()


@bp.get("")
@login_required
def index():
    filters = _filters()
    # the people of the page, as everyone reads them (but a search by function, which finds
    # a person only where the viewer may read their function): kept until one of them changes
    key = ("people", astuple(filters), page_arg(), current_user.id if filters.function else None)
    page = generations.kept(
        (services.DIRECTORY, ORGANISATIONS), key,
        lambda: kept_page(services.directory_people(current_user, filters),
                          lambda people: tuple(services.listed(people)), per_page=50))
    epci = services.viewer_epci(current_user)
    write_to = []
    if not filters.empty and page.total <= services.WRITE_LIMIT:
        write_to = [p.id for p in _found(filters, services.WRITE_LIMIT) if p.id != current_user.id]
    return render_template(
        "contacts/index.html", page=page, entries=services.entries(current_user, page.items),
        filters=filters, args=filters.args(), epci=epci, epcis=services.epci_choices(),
        kinds=OrgKind.labels(), functions=PERSON_FUNCTION_LABELS, write_to=write_to,
        write_limit=services.WRITE_LIMIT, export_limit=services.EXPORT_LIMIT)


@bp.get("/vcards")
@login_required
def people_vcards():
    """The people of the directory's search, as one ``.vcf`` (vCard 4.0)."""
    found = services.entries(current_user,
                             services.listed(_found(_filters(), services.EXPORT_LIMIT)))
    return _vcf(vcard.render_all(services.person_card(e) for e in found), "annuaire")


@bp.get("/export.csv")
@login_required
def people_csv():
    found = services.entries(current_user,
                             services.listed(_found(_filters(), services.EXPORT_LIMIT)))
    return csvexport.response(services.people_csv(found), "annuaire.csv")


@bp.get("/personnes/<int:user_id>.vcf")
@login_required
def person_vcard(user_id):
    person = access.get_or_404(User, user_id)
    entry = services.entries(current_user, services.listed([person]))[0]
    return _vcf(vcard.render(services.person_card(entry)), person.full_name)


@bp.get("/organisations/<slug>.vcf")
def organisation_vcard(slug):
    org = access.get_or_404(Organisation, slug=slug)
    return _vcf(vcard.render(services.organisation_card(org)), org.name)


# --- outside contacts ---------------------------------------------------------------------------


def _contact_or_404(contact_id: int, need: str = "view") -> OutsideContact:
    """404 for a contact the person may not see (or that does not exist), 403 for one they
    see but may not change (``access.can_view_outside_contact``, ``can_edit_outside_contact``)."""
    return access.get_or_404(OutsideContact, contact_id, need=need)


def _outside_query():
    organisation_id = int_arg("organisme")
    return services.outside_contacts(current_user, request.args.get("q", "").strip()[:100],
                                     organisation_id), organisation_id


@bp.get("/contacts-exterieurs")
@login_required
def outside():
    query, organisation_id = _outside_query()
    page = paginate(query, per_page=50)
    return render_template("contacts/outside.html", page=page, q=request.args.get("q", "")[:100],
                           organisation_id=organisation_id,
                           keepers=access.outside_contact_keepers(current_user))


@bp.get("/contacts-exterieurs/export.csv")
@login_required
def outside_csv():
    query, _ = _outside_query()
    contacts = db.session.scalars(query.limit(services.EXPORT_LIMIT)).all()
    return csvexport.response(services.outside_csv(contacts), "contacts-exterieurs.csv")


@bp.get("/contacts-exterieurs/vcards")
@login_required
def outside_vcards():
    query, _ = _outside_query()
    contacts = db.session.scalars(query.limit(services.EXPORT_LIMIT)).all()
    return _vcf(vcard.render_all(services.outside_card(c) for c in contacts),
                "contacts-exterieurs")


@bp.get("/contacts-exterieurs/<int:contact_id>")
@login_required
def outside_contact(contact_id):
    return render_template("contacts/outside_contact.html", contact=_contact_or_404(contact_id))


@bp.get("/contacts-exterieurs/<int:contact_id>.vcf")
@login_required
def outside_vcard(contact_id):
    contact = _contact_or_404(contact_id)
    return _vcf(vcard.render(services.outside_card(contact)), contact.name)


def _keeper(raw) -> Organisation | None:
    """The organisation chosen in a form, among those whose contacts the person keeps."""
    ident = to_int(raw)
    return next((o for o in access.outside_contact_keepers(current_user) if o.id == ident), None)


def _chosen_space(organisation: Organisation | None, raw) -> Space | None:
    ident = to_int(raw)
    if organisation is None or ident is None:
        return None
    return next((s for s in access.shareable_spaces(current_user, organisation)
                 if s.id == ident), None)


def _contact_form(contact: OutsideContact | None):
    keepers = access.outside_contact_keepers(current_user)
    if contact is None:
        access.require(bool(keepers))
    form = OutsideContactForm(obj=contact)
    form.organisation.choices = {str(o.id): o.name for o in keepers}
    if contact is not None:
        form.organisation.choices = {str(contact.organisation_id): contact.organisation.name}
    elif request.method == "GET" and int_arg("organisme") is not None:
        form.organisation.data = str(int_arg("organisme"))
    organisation = contact.organisation if contact is not None else \
        (_keeper(form.organisation.data) or (keepers[0] if keepers else None))
    spaces = access.shareable_spaces(current_user, organisation) if organisation else []
    form.space.choices = {"": "Non : réservé à l'organisation"} | \
        {str(s.id): s.name for s in spaces}
    if request.method == "GET" and contact is not None:
        form.space.data = str(contact.space_id or "")
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in services.FIELDS}
        made, saved = attempt_in_form(
            form.name, lambda: services.save_outside_contact(
                contact, organisation=organisation, values=values,
                space=_chosen_space(organisation, form.space.data), by=current_user),
            "Contact enregistré.", services.ContactError)
        if made:
            return redirect(url_for(".outside_contact", contact_id=saved.id))
    return render_template("contacts/outside_form.html", form=form, contact=contact)


@bp.route("/contacts-exterieurs/nouveau", methods=["GET", "POST"])
@login_required
def new_outside_contact():
    return _contact_form(None)


@bp.route("/contacts-exterieurs/<int:contact_id>/modifier", methods=["GET", "POST"])
@login_required
def edit_outside_contact(contact_id):
    return _contact_form(_contact_or_404(contact_id, need="edit"))


@bp.post("/contacts-exterieurs/<int:contact_id>/supprimer")
@login_required
def delete_outside_contact(contact_id):
    contact = _contact_or_404(contact_id, need="edit")
    attempt(lambda: services.delete_outside_contact(contact, by=current_user),
            "Contact supprimé.", services.ContactError)
    return redirect(url_for(".outside"))


@bp.route("/contacts-exterieurs/importer", methods=["GET", "POST"])
@login_required
def import_outside_contacts():
    keepers = access.outside_contact_keepers(current_user)
    access.require(bool(keepers))
    form = ImportForm()
    form.organisation.choices = {str(o.id): o.name for o in keepers}

    def load(data: bytes) -> int:
        organisation = _keeper(form.organisation.data)
        if organisation is None:
            raise services.ContactError("Choisissez l'organisation qui tient ces contacts.")
        return services.import_outside_contacts(organisation, data, by=current_user)

    sent = import_sent(form, load, {services.ContactError: form.organisation})
    if sent.done:
        flash(f"{sent.result} contact{'s' if sent.result > 1 else ''} importé"
              f"{'s' if sent.result > 1 else ''}.", "success")
        return redirect(url_for(".outside"))
    return render_template("contacts/outside_import.html", form=form, problems=sent.problems,
                           columns=services.IMPORT_REQUIRED + services.IMPORT_OPTIONAL)
