"""Mailing lists of a space (URLs under /espaces/<slug>/listes/) and their public links
(/listes/…: confirmation of an outside address, one-click unsubscribe)."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import (Blueprint, Response, abort, flash, redirect, render_template, request,
                   stream_with_context, url_for)
from flask_login import current_user, login_required

from ..core.inputs import page_arg
from .. import access
from ..extensions import csrf, db
from ..spaces.models import Space
from . import exports, moderation as rules, services, upkeep
from .forms import (AddressForm, ConfirmForm, EmergencyForm, HeldRuleForm, ListForm,
                    MassRemoveForm, MassSubscribeForm, ModeratorForm, OutsideSubscribeForm,
                    PostForm, RejectForm, ReplyForm, SenderRuleForm, SubscribeForm)
from .models import (DELIVERY_MODE_LABELS, FROM_REWRITE_LABELS, POSTING_POLICY_LABELS,
                     REPLY_TO_LABELS, SENDER_ACTION_LABELS, SUBSCRIBER_STATUS_LABELS,
                     SUBSCRIPTION_POLICY_LABELS, ListMessage, MessageStatus, SenderRule,
                     Subscriber, SubscriberStatus)
from ..core import csvexport, limits, uploads
from ..core.timeutil import PARIS
from ..core.feedback import attempt

bp = Blueprint("lists", __name__, cli_group="lists")

LABELS = {"subscription": SUBSCRIPTION_POLICY_LABELS, "posting": POSTING_POLICY_LABELS,
          "reply_to": REPLY_TO_LABELS, "from_rewrite": FROM_REWRITE_LABELS,
          "delivery": DELIVERY_MODE_LABELS, "status": SUBSCRIBER_STATUS_LABELS,
          "sender_action": SENDER_ACTION_LABELS}


@bp.app_context_processor
def list_labels():
    return {"list_labels": LABELS} if request.blueprint == "lists" else {}


def _list(slug: str, name: str):
    """The list (404 if it is not in this space or not visible to the person)."""
    mlist = services.find_list(slug, name)
    return access.authorize(mlist, "view")


def _manage(mlist) -> None:
    access.require(access.can_manage_lists(current_user, mlist.space))


def _moderate(mlist) -> None:
    access.require(access.can_moderate_list(current_user, mlist))


def _owned(model, ident: int, mlist):
    obj = db.session.get(model, ident)
    if obj is None or obj.list_id != mlist.id:
        abort(404)
    return obj


def _settings(form: ListForm) -> dict:
    return {"title": form.title.data, "description": form.description.data,
            "subscription_policy": form.subscription_policy.data,
            "posting_policy": form.posting_policy.data, "reply_to": form.reply_to.data,
            "from_rewrite": form.from_rewrite.data, "subject_prefix": form.subject_prefix.data,
            "bounce_threshold": form.bounce_threshold.data,
            "max_forward_mb": None if form.max_forward_mb.data is None
            else float(form.max_forward_mb.data)}


# --- directory and creation ----------------------------------------------------------------------


@bp.get("/listes")
def index():
    lists = services.visible_lists(current_user)
    return render_template("lists/index.html", lists=lists)


@bp.get("/espaces/<slug>/listes")
def space_lists(slug):
    space = access.get_or_404(Space, slug=slug)
    return render_template("lists/space.html", space=space,
                           lists=services.lists_of(current_user, space))


@bp.route("/espaces/<slug>/listes/nouvelle", methods=["GET", "POST"])
@login_required
def new_list(slug):
    space = access.get_or_404(Space, slug=slug)
    access.require(access.can_manage_lists(current_user, space))
    form = ListForm()
    if form.validate_on_submit():
        try:
            mlist = services.create_list(space, name=form.name.data or "", by=current_user,
                                         **_settings(form))
        except services.ListError as exc:
            form.name.errors.append(str(exc))
        else:
            flash(f"Liste créée : {mlist.address}", "success")
            return redirect(url_for(".show", slug=slug, name=mlist.name))
    return render_template("lists/form.html", space=space, form=form, mlist=None,
                           domain=services.lists_domain())


@bp.route("/espaces/<slug>/listes/<name>/parametres", methods=["GET", "POST"])
@login_required
def settings(slug, name):
    mlist = _list(slug, name)
    _manage(mlist)
    form = ListForm(obj=mlist) if request.method == "GET" else ListForm()
    if request.method == "GET":
        for field in ("subscription_policy", "posting_policy", "reply_to", "from_rewrite"):
            getattr(form, field).data = getattr(mlist, field).value
        form.max_forward_mb.data = round(mlist.max_forward_bytes / 1024 / 1024, 1)
    if form.validate_on_submit():
        try:
            services.update_list(mlist, by=current_user, **_settings(form))
        except services.ListError as exc:
            form.title.errors.append(str(exc))
        else:
            flash("Paramètres enregistrés.", "success")
            return redirect(url_for(".show", slug=slug, name=name))
    return render_template("lists/form.html", space=mlist.space, form=form, mlist=mlist,
                           domain=services.lists_domain(), moderator_form=ModeratorForm())


# --- the list's page, archive and threads ---------------------------------------------------------


@bp.get("/espaces/<slug>/listes/<name>")
def show(slug, name):
    mlist = _list(slug, name)
    page = page_arg()
    rows, total = services.threads(mlist, page=page)
    subscription, held = services.reader_facts(mlist, current_user)
    me = current_user if access.is_signed_in(current_user) else None
    return render_template(
        "lists/show.html", space=mlist.space, mlist=mlist, rows=rows, total=total, page=page,
        pages=max(1, -(-total // 30)), subscription=subscription,
        subscribing=access.list_subscription_decision(me, mlist),
        # a person subscribes with the first form, a visitor with the second
        subscribe_form=SubscribeForm(data={"delivery": subscription.delivery.value}
                                     if subscription else None) if me else None,
        outside_form=OutsideSubscribeForm() if me is None else None,
        can_post=access.can_post_to_list(current_user, mlist),
        held=held if access.can_moderate_list(current_user, mlist) else 0,
        emergency=access.list_in_emergency(mlist))


@bp.get("/espaces/<slug>/listes/<name>/fils/<int:thread_id>")
def thread(slug, name, thread_id):
    mlist = _list(slug, name)
    messages = services.thread_messages(mlist, thread_id)
    if not messages:
        abort(404)
    return render_template("lists/thread.html", space=mlist.space, mlist=mlist,
                           messages=messages, form=ReplyForm(),
                           can_post=access.can_post_to_list(current_user, mlist))


@bp.route("/espaces/<slug>/listes/<name>/ecrire", methods=["GET", "POST"])
@login_required
@limits.per_account("lists")
def write(slug, name):
    mlist = _list(slug, name)
    decision = access.list_posting_decision(current_user, mlist, current_user.email)
    access.require(access.can_post_to_list(current_user, mlist, decision))
    form = PostForm()
    if form.validate_on_submit():
        try:
            message = services.post_from_web(mlist, current_user, subject=form.subject.data,
                                              body=form.body.data,
                                              body_format=form.body_format.data)
        except services.ListError as exc:
            form.subject.errors.append(str(exc))
        else:
            return _posted(mlist, message)
    return render_template("lists/write.html", space=mlist.space, mlist=mlist, form=form,
                           decision=decision)


def _posted(mlist, message):
    if message.status == MessageStatus.HELD:
        flash("Message enregistré : il sera diffusé après l'accord d'un modérateur.", "success")
        return redirect(url_for(".show", slug=mlist.space.slug, name=mlist.name))
    flash("Message envoyé à la liste.", "success")
    return redirect(url_for(".thread", slug=mlist.space.slug, name=mlist.name,
                            thread_id=message.thread_id) + f"#message-{message.id}")


@bp.post("/espaces/<slug>/listes/<name>/fils/<int:thread_id>/repondre")
@login_required
@limits.per_account("lists")
def reply(slug, name, thread_id):
    mlist = _list(slug, name)
    messages = services.thread_messages(mlist, thread_id)
    if not messages:
        abort(404)
    access.require(access.can_post_to_list(current_user, mlist))
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            message = services.post_from_web(mlist, current_user, subject="",
                                             body=form.body.data,
                                             body_format=form.body_format.data,
                                             parent=messages[-1])
        except services.ListError as exc:
            form.body.errors.append(str(exc))
        else:
            return _posted(mlist, message)
    # The thread again, with the reply as it was sent and its error: nothing typed is lost.
    return render_template("lists/thread.html", space=mlist.space, mlist=mlist,
                           messages=messages, form=form, can_post=True), 400


# --- subscribing ---------------------------------------------------------------------------------


@bp.post("/espaces/<slug>/listes/<name>/abonnement")
@login_required
def subscribe(slug, name):
    mlist = _list(slug, name)
    form = SubscribeForm()
    if form.validate_on_submit():
        try:
            sub = services.subscribe_user(mlist, current_user, form.delivery.data)
        except services.ListError as exc:
            flash(str(exc), "error")
        else:
            flash("Demande d'abonnement envoyée aux modérateurs de la liste."
                  if sub.status == SubscriberStatus.PENDING_APPROVAL else
                  "Vous êtes abonné(e) à la liste.", "success")
    return redirect(url_for(".show", slug=slug, name=name))


@bp.post("/espaces/<slug>/listes/<name>/inscription")
def subscribe_outside(slug, name):
    mlist = _list(slug, name)
    form = OutsideSubscribeForm()
    if form.validate_on_submit():
        attempt(lambda: services.request_outside_subscription(mlist, form.email.data),
                "Si cette adresse n'est pas déjà abonnée, elle va recevoir un lien de "
                "confirmation : l'abonnement commence quand il est suivi.", services.ListError)
    else:
        flash("Indiquez une adresse électronique valide.", "error")
    return redirect(url_for(".show", slug=slug, name=name))


def _my_subscription(slug: str, name: str):
    """The current person's subscription (or None) to a list they see (404 if they do not)."""
    return services.subscription_of(_list(slug, name), current_user)


@bp.post("/espaces/<slug>/listes/<name>/remise")
@login_required
def change_delivery(slug, name):
    sub = _my_subscription(slug, name)
    if sub is None:
        abort(404)
    form = SubscribeForm()
    if not form.validate_on_submit():
        flash("Choix invalide.", "error")
    else:
        services.set_delivery(sub, form.delivery.data)
        flash("Mode de distribution enregistré.", "success")
    return redirect(url_for(".show", slug=slug, name=name))


@bp.post("/espaces/<slug>/listes/<name>/desabonnement")
@login_required
def unsubscribe(slug, name):
    sub = _my_subscription(slug, name)
    if sub is not None:
        services.remove_subscriber(sub)
        flash("Vous n'êtes plus abonné(e) à la liste.", "success")
    return redirect(url_for(".show", slug=slug, name=name))


@bp.route("/listes/confirmer/<token>", methods=["GET", "POST"])
def confirm(token):
    """GET shows a button (mail scanners follow links); the POST confirms."""
    sub = services.pending_confirmation(token)
    form = ConfirmForm()
    if sub is None:
        return render_template("lists/link_invalid.html"), 404
    mlist = sub.mailing_list
    if form.validate_on_submit():
        services.confirm(token)
        return render_template("lists/confirmed.html", mlist=mlist, sub=sub)
    return render_template("lists/confirm.html", mlist=mlist, sub=sub, form=form)


@bp.get("/listes/desabonnement/<token>")
def unsubscribe_page(token):
    sub = services.subscriber_for_token(token, "unsubscribe")
    if sub is None:
        return render_template("lists/link_invalid.html"), 404
    return render_template("lists/unsubscribe.html", mlist=sub.mailing_list, sub=sub,
                           token=token)


@bp.post("/listes/desabonnement/<token>")
@csrf.exempt
def one_click(token):
    """RFC 8058 one-click unsubscribe: a POST from the mail client, without session or CSRF
    token; the signed token names one subscriber, and only that one is removed."""
    mlist = services.unsubscribe_by_token(token)
    if mlist is None:
        return render_template("lists/link_invalid.html"), 404
    return render_template("lists/unsubscribed.html", mlist=mlist)


# --- moderation ----------------------------------------------------------------------------------


@bp.get("/espaces/<slug>/listes/<name>/moderation")
@login_required
def moderation(slug, name):
    mlist = _list(slug, name)
    _moderate(mlist)
    requests = services.pending_requests(mlist)
    return render_template("lists/moderation.html", space=mlist.space, mlist=mlist,
                           held=services.held_messages(mlist), requests=requests,
                           quarantined=services.quarantined(mlist), rule_form=HeldRuleForm(),
                           emergency=access.list_in_emergency(mlist),
                           emergency_form=EmergencyForm())


def _held(slug: str, name: str, message_id: int):
    """A held message of a list the person moderates (None, with a word, if already
    decided)."""
    mlist = _list(slug, name)
    _moderate(mlist)
    message = _owned(ListMessage, message_id, mlist)
    if message.status != MessageStatus.HELD:
        flash("Ce message a déjà été traité.", "error")
        return None
    return message


@bp.post("/espaces/<slug>/listes/<name>/moderation/<int:message_id>/approuver")
@login_required
def approve(slug, name, message_id):
    message = _held(slug, name, message_id)
    if message is not None:
        services.approve(message, by=current_user)
        flash("Message approuvé : il est archivé et envoyé aux abonnés.", "success")
    return redirect(url_for(".moderation", slug=slug, name=name))


@bp.post("/espaces/<slug>/listes/<name>/moderation/<int:message_id>/rejeter")
@login_required
def reject(slug, name, message_id):
    message = _held(slug, name, message_id)
    form = RejectForm()
    if message is not None:
        attempt(lambda: services.reject(message, by=current_user, reason=form.reason.data or ""),
                "Message refusé ; la raison a été envoyée à l'expéditeur.", services.ListError)
    return redirect(url_for(".moderation", slug=slug, name=name))


# --- subscribers and moderators (the list's managers) ---------------------------------------------


@bp.route("/espaces/<slug>/listes/<name>/abonnes", methods=["GET", "POST"])
@login_required
def subscribers(slug, name):
    mlist = _list(slug, name)
    if not access.can_manage_lists(current_user, mlist.space):
        _moderate(mlist)  # moderators see the requests there too, but do not add people
        return redirect(url_for(".moderation", slug=slug, name=name))
    form = MassSubscribeForm()
    problems, report = [], None
    if form.validate_on_submit():
        try:
            report = services.add_subscribers(mlist, form.addresses.data, by=current_user,
                                              delivery=form.delivery.data,
                                              confirm_outside=form.confirm_outside.data)
        except services.MassSubscribeError as exc:
            problems = exc.problems
            flash(str(exc), "error")
        except services.ListError as exc:
            form.addresses.errors.append(str(exc))
        else:
            form = MassSubscribeForm(formdata=None)
    listing = services.subscribers(mlist, page=page_arg())
    return render_template("lists/subscribers.html", space=mlist.space, mlist=mlist, form=form,
                           listing=listing, problems=problems, report=report,
                           counts=services.subscriber_counts(mlist))


def _subscriber_action(slug, name, subscriber_id, action, message, need="manage"):
    mlist = _list(slug, name)
    (_manage if need == "manage" else _moderate)(mlist)
    sub = _owned(Subscriber, subscriber_id, mlist)
    attempt(lambda: action(sub),
            message, services.ListError)
    return redirect(request.form.get("next") if request.form.get("next") == url_for(
        ".moderation", slug=slug, name=name) else url_for(".subscribers", slug=slug, name=name))


@bp.post("/espaces/<slug>/listes/<name>/abonnes/<int:subscriber_id>/accepter")
@login_required
def approve_subscriber(slug, name, subscriber_id):
    return _subscriber_action(slug, name, subscriber_id,
                              lambda sub: services.approve_subscriber(sub, by=current_user),
                              "Abonnement accepté.", need="moderate")


@bp.post("/espaces/<slug>/listes/<name>/abonnes/<int:subscriber_id>/retirer")
@login_required
def remove_subscriber(slug, name, subscriber_id):
    return _subscriber_action(slug, name, subscriber_id,
                              lambda sub: services.remove_subscriber(sub, by=current_user),
                              "Abonné retiré de la liste.")


@bp.post("/espaces/<slug>/listes/<name>/abonnes/<int:subscriber_id>/reactiver")
@login_required
def reenable_subscriber(slug, name, subscriber_id):
    return _subscriber_action(slug, name, subscriber_id, services.reenable,
                              "Distribution réactivée.")


@bp.post("/espaces/<slug>/listes/<name>/moderateurs")
@login_required
def add_moderator(slug, name):
    mlist = _list(slug, name)
    _manage(mlist)
    form = ModeratorForm()
    if form.validate_on_submit():
        try:
            user = services.add_moderator(mlist, form.email.data, by=current_user)
        except services.ListError as exc:
            flash(str(exc), "error")
        else:
            flash(f"{user.full_name} modère désormais la liste.", "success")
    else:
        flash("Indiquez l'adresse d'un compte de l'intranet.", "error")
    return redirect(url_for(".settings", slug=slug, name=name))


@bp.post("/espaces/<slug>/listes/<name>/moderateurs/<int:user_id>/retirer")
@login_required
def remove_moderator(slug, name, user_id):
    mlist = _list(slug, name)
    _manage(mlist)
    services.remove_moderator(mlist, user_id, by=current_user)
    flash("Modérateur retiré.", "success")
    return redirect(url_for(".settings", slug=slug, name=name))


# --- per-sender rules and emergency moderation (the list's moderators) -----------------------------


@bp.post("/espaces/<slug>/listes/<name>/moderation/<int:message_id>/regle")
@login_required
def held_rule(slug, name, message_id):
    """From a held message: a standing rule for its sender, applied to it at once."""
    message = _held(slug, name, message_id)
    form = HeldRuleForm()
    if message is not None:
        if not form.validate_on_submit():
            flash("Choisissez ce qu'il faut faire des messages de cet expéditeur.", "error")
        else:
            label = SENDER_ACTION_LABELS[form.action.data].split(" (")[0].lower()
            attempt(lambda: rules.rule_from_held(message, form.action.data, by=current_user),
                    f"Règle enregistrée pour {message.sender_email} : {label}.",
                    services.ListError)
    return redirect(url_for(".moderation", slug=slug, name=name))


@bp.route("/espaces/<slug>/listes/<name>/expediteurs", methods=["GET", "POST"])
@login_required
def sender_rules(slug, name):
    mlist = _list(slug, name)
    _moderate(mlist)
    form = SenderRuleForm()
    if form.validate_on_submit():
        try:
            rule = rules.set_sender_rule(mlist, form.email.data, form.action.data,
                                         by=current_user)
        except services.ListError as exc:
            form.email.errors.append(str(exc))
        else:
            flash(f"Règle enregistrée pour {rule.email}.", "success")
            return redirect(url_for(".sender_rules", slug=slug, name=name))
    return render_template("lists/sender_rules.html", space=mlist.space, mlist=mlist,
                           form=form, rules=rules.sender_rules(mlist)), \
        400 if form.errors else 200


@bp.post("/espaces/<slug>/listes/<name>/expediteurs/<int:rule_id>/retirer")
@login_required
def remove_sender_rule(slug, name, rule_id):
    mlist = _list(slug, name)
    _moderate(mlist)
    rule = _owned(SenderRule, rule_id, mlist)
    rules.remove_sender_rule(rule, by=current_user)
    flash(f"Règle retirée : les messages de {rule.email} suivent de nouveau les règles de la "
          "liste.", "success")
    return redirect(url_for(".sender_rules", slug=slug, name=name))


@bp.post("/espaces/<slug>/listes/<name>/urgence")
@login_required
def start_emergency(slug, name):
    mlist = _list(slug, name)
    _moderate(mlist)
    form = EmergencyForm()
    if not form.validate_on_submit():
        flash("Indiquez la date et l'heure de fin de la modération d'urgence.", "error")
    else:
        local = datetime.combine(form.until_date.data, form.until_time.data, tzinfo=PARIS)
        until = local.astimezone(UTC).replace(tzinfo=None)
        attempt(lambda: rules.start_emergency(mlist, until, by=current_user),
                "Modération d'urgence activée : tous les messages sont retenus.",
                services.ListError)
    return redirect(url_for(".moderation", slug=slug, name=name))


@bp.post("/espaces/<slug>/listes/<name>/urgence/fin")
@login_required
def end_emergency(slug, name):
    mlist = _list(slug, name)
    _moderate(mlist)
    rules.end_emergency(mlist, by=current_user)
    flash("Modération d'urgence levée : les messages suivent de nouveau les règles de la liste.",
          "success")
    return redirect(url_for(".moderation", slug=slug, name=name))


# --- downloads: the archive (mbox), an attachment, the subscribers (CSV) --------------------------


@bp.get("/espaces/<slug>/listes/<name>/archives.mbox")
@login_required
def mbox(slug, name):
    mlist = _list(slug, name)
    access.require(access.can_export_list_archive(current_user, mlist))
    return Response(stream_with_context(exports.mbox_chunks(mlist)), headers={
        "Content-Type": "application/mbox",
        "Content-Disposition": f'attachment; filename="{mlist.name}.mbox"',
        "X-Content-Type-Options": "nosniff"})


@bp.get("/espaces/<slug>/listes/<name>/pieces/<int:attachment_id>")
def attachment(slug, name, attachment_id):
    """An attachment of an archived message: whoever reads the archive."""
    mlist = _list(slug, name)
    found = services.attachment_of(mlist, attachment_id)
    if found is None:
        abort(404)
    return uploads.send(found.file)


@bp.get("/espaces/<slug>/listes/<name>/abonnes.csv")
@login_required
def subscribers_csv(slug, name):
    mlist = _list(slug, name)
    _manage(mlist)
    return csvexport.response(exports.subscribers_csv(mlist), f"abonnes-{mlist.name}.csv")


@bp.post("/espaces/<slug>/listes/<name>/abonnes/retrait")
@login_required
def remove_subscribers(slug, name):
    """Mass removal: the addresses pasted or the boxes ticked are shown for confirmation; the
    confirmed form removes them."""
    mlist = _list(slug, name)
    _manage(mlist)
    form = MassRemoveForm()
    if not form.validate_on_submit():
        flash("Le formulaire a expiré : recommencez.", "error")
        return redirect(url_for(".subscribers", slug=slug, name=name))
    ticked = request.form.getlist("ids")
    if request.form.get("confirm") == "1":
        subs = upkeep.subscribers_by_id(mlist, ticked)
        try:
            removed = upkeep.remove_subscribers(mlist, subs, by=current_user)
        except services.ListError as exc:
            flash(str(exc), "error")
        else:
            flash(f"{removed} abonné{'s' if removed > 1 else ''} retiré{'s' if removed > 1 else ''}"
                  " de la liste.", "success")
        return redirect(url_for(".subscribers", slug=slug, name=name))
    emails, problems = upkeep.addresses_in(form.addresses.data or "")
    subs = {s.id: s for s in upkeep.subscribers_by_id(mlist, ticked)
            + upkeep.subscribers_by_address(mlist, emails)}
    found = {s.email for s in subs.values()}
    missing = [e for e in emails if e not in found]
    return render_template("lists/remove_subscribers.html", space=mlist.space, mlist=mlist,
                           form=form, subs=sorted(subs.values(), key=lambda s: s.email),
                           missing=missing, problems=problems)


# --- a subscriber changes their address ------------------------------------------------------------


@bp.route("/espaces/<slug>/listes/<name>/adresse", methods=["GET", "POST"])
@login_required
def change_address(slug, name):
    sub = _my_subscription(slug, name)
    if sub is None or not access.can_change_subscription_address(current_user, sub):
        abort(404)
    return _address_form(sub, url_for(".show", slug=slug, name=name), space=sub.mailing_list.space)


@bp.route("/listes/adresse/<token>", methods=["GET", "POST"])
def change_address_by_link(token):
    """An outside subscriber, from the link in the footer of the list's messages."""
    sub = services.subscriber_for_token(token, "unsubscribe")
    if sub is None:
        return render_template("lists/link_invalid.html"), 404
    return _address_form(sub, None)


def _address_form(sub, back, space=None):
    """The new address asked (shown in its space for a person, bare for an outside link)."""
    form = AddressForm()
    mlist = sub.mailing_list
    if form.validate_on_submit():
        try:
            email = upkeep.request_address_change(sub, form.email.data)
        except services.ListError as exc:
            form.email.errors.append(str(exc))
        else:
            return render_template("lists/address_sent.html", mlist=mlist, email=email,
                                   back=back, space=space)
    return render_template("lists/address.html", mlist=mlist, sub=sub, form=form, back=back,
                           space=space), 400 if form.errors else 200


@bp.route("/listes/adresse/confirmer/<token>", methods=["GET", "POST"])
def confirm_address(token):
    """GET shows a button (mail scanners follow links); the POST changes the address."""
    found = upkeep.pending_address_change(token)
    if found is None:
        return render_template("lists/link_invalid.html"), 404
    sub, email = found
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            upkeep.confirm_address_change(token)
        except services.ListError as exc:
            flash(str(exc), "error")
        else:
            return render_template("lists/address_confirmed.html", mlist=sub.mailing_list,
                                   email=email)
    return render_template("lists/address_confirm.html", mlist=sub.mailing_list, sub=sub,
                           email=email, form=form)
