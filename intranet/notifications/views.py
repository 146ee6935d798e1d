"""The notification centre and each person's preferences."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField

from ..core import hooks
from ..core.inputs import page_arg
from . import services
from .models import DELIVERY_LABELS, Delivery, NotificationSettings

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


# The unread count shown in the header, read with the header's other counters.
hooks.register_header_counter("unread_notifications", services.unread_query)


class ReadForm(FlaskForm):
    pass


@bp.get("/")
@login_required
def index():
    listing = services.recent(current_user, page=page_arg())
    return render_template("notifications/index.html", listing=listing, form=ReadForm())


@bp.post("/<int:note_id>/lue")
@login_required
def read(note_id):
    services.mark_read(current_user, note_id)
    target = request.form.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//")
                    else url_for(".index"))


@bp.post("/tout-lu")
@login_required
def read_all():
    services.mark_read(current_user)
    flash("Toutes les notifications sont marquées comme lues.", "success")
    return redirect(url_for(".index"))


class PreferencesForm(FlaskForm):
    mail_content = BooleanField("Mettre le contenu dans les courriels (sinon, seulement un "
                                "avis avec un lien)")


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    form = PreferencesForm()
    if form.validate_on_submit():
        choices = {}
        for key in services.KINDS:
            value = request.form.get(f"kind-{key}", "")
            if value in {d.value for d in Delivery}:
                choices[key] = Delivery(value)
        services.set_preferences(current_user, choices, form.mail_content.data)
        flash("Préférences enregistrées.", "success")
        return redirect(url_for(".preferences"))
    settings = services.db.session.get(NotificationSettings, current_user.id)
    form.mail_content.data = settings.mail_content if settings else True
    current = services.deliveries_for(current_user)
    return render_template("notifications/preferences.html", form=form, kinds=services.KINDS,
                           current=current, labels=DELIVERY_LABELS)
