"""Press releases (communiqués) and their feeds."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from ...core.inputs import to_int
from ...core.pagination import paginate
from ... import access
from ...accounts.models import Organisation
from ...core.atom import Entry, feed as atom_feed, register_private_feed
from ...core.hooks import register_organisation_section
from ...core.sanitize import to_text
from ...core.timeutil import to_paris, utcnow
from ...core.urls import absolute_url
from ...core.types import Visibility
from ..routes import (add_attachment_routes, add_lifecycle_routes, feed_owner, form_page,
                      offer_publishers)
from . import services
from .forms import FilterForm, ReleaseForm
from .models import PressAttachment, PressRelease

bp = Blueprint("press", __name__, url_prefix="/communiques")

register_private_feed("Communiqués", "press.private_feed")
register_organisation_section("publications/press/_org_section.html")

PER_PAGE = 20


@bp.app_template_global()
def latest_press_releases(org: Organisation, limit: int = 5) -> list[PressRelease]:
    """The organisation's latest published releases the current person may read."""
    return services.latest_titles(current_user, org, limit=limit)


# --- reading -------------------------------------------------------------------------------------


def _year(value: str | None) -> int | None:
    return to_int(value, minimum=1900, maximum=2999)


@bp.get("/")
def index():
    form = FilterForm(request.args)
    publishers, years = services.filter_choices(current_user)
    form.organisation.choices = {"": "Toutes", **publishers}
    form.annee.choices = {"": "Toutes", **{str(y): str(y) for y in years}}
    organisation = (request.args.get("organisation") or "")[:80]
    year = _year(request.args.get("annee"))
    page = paginate(services.list_query(current_user, organisation=organisation, year=year),
                       per_page=PER_PAGE)
    args = {k: v for k, v in (("organisation", organisation), ("annee", year)) if v}
    return render_template("publications/press/index.html", form=form, page=page, args=args,
                           publisher_name=publishers.get(organisation),
                           can_write=bool(access.publishing_organisations(current_user)))


@bp.get("/<int:release_id>")
def show(release_id):
    release = access.get_or_404(PressRelease, release_id)
    return render_template("publications/press/show.html", release=release)


# --- writing -------------------------------------------------------------------------------------


def _fields(form: ReleaseForm) -> dict:
    return {"title": form.title.data, "release_date": form.release_date.data,
            "body": form.body.data, "body_format": form.body_format.data,
            "visibility": Visibility(form.visibility.data)}


@bp.route("/nouveau", methods=["GET", "POST"])
@login_required
def create():
    form = ReleaseForm()
    publishers = offer_publishers(form, key=lambda org: org.slug)
    if request.method == "GET":
        if request.args.get("organisation") in form.organisation.choices:
            form.organisation.data = request.args["organisation"]
        form.release_date.data = to_paris(utcnow()).date()
    return form_page(
        form, lambda files: services.create_release(publishers[form.organisation.data],
                                                    **_fields(form), files=files, by=current_user),
        model=PressRelease, template="publications/press/form.html", file_field="attachments",
        error_field="body", release=None, done="Brouillon enregistré. Relisez-le, puis publiez-le.",
        show=lambda release: url_for(".show", release_id=release.id))


@bp.route("/<int:release_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(release_id):
    release = access.get_or_404(PressRelease, release_id, need="edit", options=(
        joinedload(PressRelease.attachments).joinedload(PressAttachment.file),))
    form = ReleaseForm()
    del form.organisation
    if request.method == "GET":
        form.title.data, form.release_date.data = release.title, release.release_date
        form.visibility.data = release.visibility.value
        form.body_format.data, form.body.data = release.body_format, release.body_source
    return form_page(
        form, lambda files: services.update_release(release, **_fields(form), files=files,
                                                    by=current_user),
        model=PressRelease, template="publications/press/form.html", file_field="attachments",
        error_field="body", release=release, done="Communiqué enregistré.",
        show=lambda _saved: url_for(".show", release_id=release.id))


add_lifecycle_routes(
    bp, PressRelease, "/<int:release_id>", "release_id", published="Communiqué publié.",
    withdrawn="Communiqué retiré : seuls les membres de votre organisation le voient encore.")
add_attachment_routes(
    bp, PressRelease, "/<int:release_id>", "release_id", item_rule="pieces-jointes",
    item_arg="attachment_id", endpoint="attachment", inline=True,
    removed="Pièce jointe « {name} » retirée.", back=".edit")


@bp.post("/<int:release_id>/supprimer")
@login_required
def delete(release_id):
    release = access.get_or_404(PressRelease, release_id, need="edit")
    try:
        services.delete_draft(release, by=current_user)
    except services.PressError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".show", release_id=release.id))
    flash("Brouillon supprimé.", "success")
    return redirect(url_for(".index"))


# --- feeds ---------------------------------------------------------------------------------------


def _entries(releases: list[PressRelease]) -> list[Entry]:
    entries = []
    for release in releases:
        link = absolute_url("press.show", release_id=release.id)
        summary = to_text(release.body_html)
        entries.append(Entry(id=link, title=release.title, link=link,
                             updated=max(release.published_at or release.updated_at,
                                         release.updated_at),
                             summary=summary[:600] + ("…" if len(summary) > 600 else ""),
                             author=release.organisation.name))
    return entries


def _public_feed(org: Organisation | None, self_url: str):
    """Published public releases only, whoever asks (a feed address is shared freely)."""
    releases = services.published_for(None, organisation=org)
    title = f"Communiqués — {org.name}" if org else "Communiqués des collectivités"
    page = absolute_url("press.index", **({"organisation": org.slug} if org else {}))
    return atom_feed(feed_id=page, title=title, self_url=self_url, page_url=page,
                     entries=_entries(releases))


@bp.get("/flux.atom")
def feed():
    slug = request.args.get("organisation", "")
    if slug:
        org = access.get_or_404(Organisation, slug=slug)
        return _public_feed(org, absolute_url("press.feed", organisation=org.slug))
    return _public_feed(None, absolute_url("press.feed"))


@bp.get("/<org_slug>/flux.atom")
def organisation_feed(org_slug):
    org = access.get_or_404(Organisation, slug=org_slug)
    return _public_feed(org, absolute_url("press.organisation_feed", org_slug=org.slug))


@bp.get("/flux/<token>.atom")
def private_feed(token):
    """Everything published that the address's owner may read, network-only included."""
    user = feed_owner(token)
    releases = services.published_for(user)
    page = absolute_url("press.index")
    response = atom_feed(feed_id=f"{page}#flux-personnel-{user.id}",
                         title="Communiqués (flux personnel)",
                         self_url=absolute_url("press.private_feed", token=token),
                         page_url=page, entries=_entries(releases))
    return response
