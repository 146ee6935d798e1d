"""Classified ads (« Petites annonces »): the listing, an ad's page, writing, « Mes annonces »,
contact, reports and the moderators' queue, the renewal link and the public feed."""
from dataclasses import astuple

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from .. import access
from ..accounts.models import ORGANISATIONS
from ..core import fragments, generations, images, pending, uploads
from ..core.pagination import kept_page
from ..core.atom import Entry, feed as atom_feed
from ..core.feedback import attempt
from ..core.inputs import page_arg, to_int
from ..core.urls import absolute_url
from . import services
from .forms import AdForm, ContactForm, FilterForm, ReportForm
from .models import Ad, AdCategory, AdKind, AdPhoto
from .services import AdData, AdError, Filters

bp = Blueprint("ads", __name__, url_prefix="/annonces")

PER_PAGE = 20
SIZES = {"vignette": "thumbnail", "grande": "file"}


# --- reading -------------------------------------------------------------------------------------


@bp.get("/")
def index():
    filters = Filters(kind=(request.args.get("nature") or "")[:20],
                      category=(request.args.get("categorie") or "")[:20],
                      commune=to_int(request.args.get("commune"), None, minimum=1),
                      q=(request.args.get("q") or "")[:200])
    form = FilterForm(request.args)
    form.nature.choices = {"": "Tous", **{k.value: k.label for k in AdKind}}
    form.categorie.choices = {"": "Toutes", **{c.value: c.label for c in AdCategory}}
    form.commune.choices = {"": "Partout",
                            **{str(i): name for i, name in services.place_choices()}}
    # the same page for every signed-in person (``access.visible_ads``): kept until an ad or
    # what it shows changes, or the first ad online expires
    key = ("list", request.script_root, astuple(filters), page_arg(),
           services.next_expiry() if access.is_signed_in(current_user) else None)
    page = generations.kept((services.ADS, ORGANISATIONS), key, lambda: kept_page(
        services.listing(current_user, filters),
        lambda ads: fragments.drawn("ads/_list.html", ads=ads), per_page=PER_PAGE))
    return render_template("ads/index.html", form=form, page=page, args=filters.args(),
                           can_post=access.can_post_ad(current_user))


# What an ad's page shows with it: its publisher, its author, its commune and its photos.
_SHOWN_WITH = (joinedload(Ad.organisation), joinedload(Ad.created_by), joinedload(Ad.commune),
               joinedload(Ad.photos))


@bp.get("/<int:ad_id>")
def show(ad_id):
    ad = access.get_or_404(Ad, ad_id, options=_SHOWN_WITH)
    return render_template(
        "ads/show.html", ad=ad, contact_form=ContactForm(), report_form=ReportForm(),
        can_contact=access.can_contact_advertiser(current_user, ad),
        can_report=access.can_report_ad(current_user, ad))


@bp.get("/<int:ad_id>/photos/<int:photo_id>/<taille>")
def photo(ad_id, photo_id, taille):
    ad = access.get_or_404(Ad, ad_id)
    picture = access.part_or_404(AdPhoto, photo_id, ad_id=ad.id)
    if taille not in SIZES:
        abort(404)
    return uploads.send(getattr(picture, SIZES[taille]), inline=True)


@bp.get("/mes-annonces")
@login_required
def mine():
    return render_template("ads/mine.html", ads=services.mine(current_user))


# --- writing -------------------------------------------------------------------------------------


def _publishers(form: AdForm) -> dict:
    """The form's « Qui publie ? » choices: ``moi:<id>`` (a personal ad naming one of the
    person's organisations), ``org:<id>`` (in the name of an organisation they publish for)."""
    offered = {}
    for org in access.ad_publishers(current_user):
        offered[f"moi:{org.id}"] = (org, True, f"Moi-même ({current_user.full_name}, {org.name})")
        if access.can_post_ad_as(current_user, org, False):
            offered[f"org:{org.id}"] = (org, False, org.name)
    form.publisher.choices = {key: label for key, (_, _, label) in offered.items()}
    return offered


def _communes(form: AdForm) -> None:
    form.commune.choices = {"": "— non précisée —",
                            **{str(i): name for i, name in services.commune_choices()}}


def _data(form: AdForm) -> AdData:
    return AdData(kind=form.kind.data or "", category=form.category.data or "",
                  title=form.title.data or "", description=form.description.data or "",
                  price=services.parse_price(form.price.data or ""),
                  commune_id=to_int(form.commune.data, None, minimum=1),
                  visibility=form.visibility.data or "")


def _save(form: AdForm, files: pending.Submission, save):
    """Run ``save(data, photos)``; a refusal goes under its field. The saved ad, or None."""
    if not form.validate_on_submit():
        return None
    try:
        return save(_data(form), files.files("photos"))
    except AdError as exc:
        field = getattr(form, exc.field, None) if exc.field else None
        if field is not None:
            field.errors = [*field.errors, str(exc)]
        else:
            flash(str(exc), "error")
    except uploads.UploadError as exc:
        form.photos.errors = [*form.photos.errors, str(exc)]
    return None


@bp.route("/nouvelle", methods=["GET", "POST"])
@login_required
def create():
    access.require(access.can_post_ad(current_user))
    form = AdForm()
    offered = _publishers(form)
    _communes(form)
    if request.method == "GET":
        first = next(iter(offered.values()))[0]
        form.commune.data = str(first.id) if first.kind.value == "commune" else ""
    files = pending.Submission(form, {"photos": uploads.IMAGES},
                               accept=lambda sent: images.readable(sent.data))

    def save(data, photos):
        chosen = offered.get(form.publisher.data or "")
        if chosen is None:
            raise AdError("Choisissez qui publie l'annonce.", "publisher")
        org, personal, _ = chosen
        return services.create_ad(org, data, personal=personal, by=current_user, files=photos)

    ad = _save(form, files, save)
    if ad is not None:
        flash(f"Annonce publiée. Elle est en ligne jusqu'au {services.until(ad)} ; vous "
              "recevrez un courriel quelques jours avant, pour la prolonger.", "success")
        return redirect(url_for(".show", ad_id=ad.id))
    return render_template("ads/form.html", form=form, ad=None, pending_files=files.kept())


@bp.route("/<int:ad_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(ad_id):
    ad = access.get_or_404(Ad, ad_id, need="edit")
    form = AdForm()
    del form.publisher
    _communes(form)
    if request.method == "GET":
        form.kind.data, form.category.data = ad.kind.value, ad.category.value
        form.title.data, form.description.data = ad.title, ad.description
        form.price.data = "" if ad.price is None else f"{ad.price}".replace(".", ",")
        form.commune.data = str(ad.commune_id or "")
        form.visibility.data = ad.visibility.value
    files = pending.Submission(form, {"photos": uploads.IMAGES},
                               accept=lambda sent: images.readable(sent.data))
    saved = _save(form, files, lambda data, photos: services.update_ad(
        ad, data, by=current_user, files=photos))
    if saved is not None:
        flash("Annonce enregistrée.", "success")
        return redirect(url_for(".show", ad_id=ad.id))
    return render_template("ads/form.html", form=form, ad=ad, pending_files=files.kept())


@bp.post("/<int:ad_id>/photos/<int:photo_id>/supprimer")
@login_required
def remove_photo(ad_id, photo_id):
    ad = access.get_or_404(Ad, ad_id, need="edit")
    picture = access.part_or_404(AdPhoto, photo_id, ad_id=ad.id)
    services.remove_photo(ad, picture, by=current_user)
    flash("Photo retirée.", "success")
    return redirect(url_for(".edit", ad_id=ad.id))


def _back(ad: Ad):
    target = request.form.get("retour")
    return redirect(url_for(".mine") if target == "mes-annonces"
                    else url_for(".show", ad_id=ad.id))


@bp.post("/<int:ad_id>/conclure")
@login_required
def done(ad_id):
    ad = access.get_or_404(Ad, ad_id, need="edit")
    attempt(lambda: services.mark_done(ad, by=current_user),
            "Annonce marquée « conclue » : elle n'est plus en ligne.", AdError)
    return _back(ad)


@bp.post("/<int:ad_id>/prolonger")
@login_required
def extend(ad_id):
    ad = access.get_or_404(Ad, ad_id, need="edit")
    attempt(lambda: services.renew(ad, by=current_user),
            lambda renewed: f"Annonce prolongée jusqu'au {services.until(renewed)}.", AdError)
    return _back(ad)


@bp.post("/<int:ad_id>/supprimer")
@login_required
def delete(ad_id):
    ad = access.get_or_404(Ad, ad_id, need="edit")
    services.delete_ad(ad, by=current_user)
    flash("Annonce supprimée.", "success")
    return redirect(url_for(".mine"))


@bp.get("/renouveler/<token>")
def renew(token):
    """The reminder mail's link: one click renews the ad (the token is the permission)."""
    try:
        ad = services.renew_by_link(token[:500])
    except services.RenewalError as exc:
        return render_template("ads/renewed.html", ad=None, error=str(exc)), 404
    return render_template("ads/renewed.html", ad=ad, until=services.until(ad), error=None)


# --- contact and reports -------------------------------------------------------------------------


@bp.route("/<int:ad_id>/contacter", methods=["GET", "POST"])
@login_required
def contact(ad_id):
    ad = access.get_or_404(Ad, ad_id)
    access.require(access.can_contact_advertiser(current_user, ad))
    form = ContactForm()
    if form.validate_on_submit():
        try:
            conversation = services.contact(ad, form.body.data, by=current_user)
        except AdError as exc:
            form.body.errors = [*form.body.errors, str(exc)]
        else:
            flash("Message envoyé. La réponse arrivera dans vos messages.", "success")
            return redirect(url_for("messaging.show", conversation_id=conversation.id))
    return render_template("ads/contact.html", ad=ad, form=form)


@bp.post("/<int:ad_id>/signaler")
@login_required
def report(ad_id):
    ad = access.get_or_404(Ad, ad_id)
    access.require(access.can_report_ad(current_user, ad))
    form = ReportForm()
    if not form.validate_on_submit():
        flash("Dites en quelques mots ce qui ne va pas dans cette annonce.", "error")
    else:
        attempt(lambda: services.report(ad, form.reason.data, by=current_user),
                "Merci : les modérateurs vont examiner cette annonce.", AdError)
    return redirect(url_for(".show", ad_id=ad.id))


@bp.get("/moderation")
@login_required
def moderation():
    access.require(access.can_moderate_ads(current_user))
    return render_template("ads/moderation.html", queue=services.moderation_queue())


def _moderate(ad_id: int, change, message: str):
    ad = access.get_or_404(Ad, ad_id)
    access.require(access.can_moderate_ads(current_user))
    attempt(lambda: change(ad, by=current_user), message, AdError)
    return redirect(url_for(".moderation"))


@bp.post("/<int:ad_id>/masquer")
@login_required
def hide(ad_id):
    return _moderate(ad_id, services.hide, "Annonce masquée.")


@bp.post("/<int:ad_id>/retablir")
@login_required
def restore(ad_id):
    return _moderate(ad_id, services.restore, "Annonce rétablie.")


@bp.post("/<int:ad_id>/classer")
@login_required
def dismiss(ad_id):
    return _moderate(ad_id, services.dismiss_reports,
                     "Signalements classés : l'annonce reste en ligne.")


# --- the feed ------------------------------------------------------------------------------------


@bp.get("/flux.atom")
def feed():
    """Public ads online, whoever asks (a feed address is shared freely)."""
    entries = []
    for ad in services.public_feed():
        link = absolute_url("ads.show", ad_id=ad.id)
        summary = " · ".join(filter(None, [ad.kind.label, ad.price_label, ad.description]))
        entries.append(Entry(id=link, title=ad.title, link=link,
                             updated=max(ad.published_at or ad.updated_at, ad.updated_at),
                             summary=summary[:600] + ("…" if len(summary) > 600 else ""),
                             author=ad.advertiser))
    page = absolute_url("ads.index")
    return atom_feed(feed_id=page, title="Petites annonces des collectivités",
                     self_url=absolute_url("ads.feed"), page_url=page, entries=entries)
