"""Territoires: the collaborative intranet and extranet of a département's collectivités."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, render_template, request
from flask_login import current_user

from . import access
from .core import csrf as form_expiry, inputs, limits, postgres, reconnect, security, widgets
from .core.reconnect import Application
from .extensions import csrf, db, login_manager, migrate
from .extensions import mail as mailer

# Environment variables read over the configuration files (type converted from the default).
ENV_OVERRIDES = ("SECRET_KEY", "PROXY_FIX_X_FOR", "MAIL_SERVER", "MAIL_PORT", "MAIL_USERNAME", "MAIL_PASSWORD",
                 "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_DEFAULT_SENDER", "PUBLIC_BASE_URL",
                 "SEARCH_BACKEND", "SEARCH_INDEX_DIR", "UPLOAD_DIR", "UPLOAD_MAX_BYTES",
                 "TRUSTED_NETWORKS", "REPLY_DOMAIN", "LISTS_DOMAIN", "ACCESSIBILITY_CONTACT_EMAIL",
                 "ACCESSIBILITY_CONTACT_URL", "JOBS_APPLICATION_RETENTION_DAYS",
                 "JOBS_GRADES_CSV", "SECURE_COOKIES", "RATELIMIT_STORAGE_URI",
                 "RATELIMIT_KEY_PREFIX", "PROCONNECT_ISSUER", "PROCONNECT_CLIENT_ID",
                 "PROCONNECT_CLIENT_SECRET", "SECURITY_CONTACTS", "SECURITY_TXT_EXPIRES",
                 "SECURITY_POLICY_URL", "WEBAUTHN_RP_ID", "WEBAUTHN_ORIGIN",
                 "PRIVACY_AUDIT_RETENTION_DAYS", "PRIVACY_SIGNIN_RETENTION_DAYS",
                 "PRIVACY_CONTROLLER", "PRIVACY_DPO_NAME", "PRIVACY_CONTACT_EMAIL")


def create_app(config: dict | None = None) -> Flask:
    app = Application(__name__, instance_relative_config=True,
                      instance_path=_instance_path())
    app.config.from_object("intranet.config")
    if config is None:
        app.config.from_pyfile("config.py", silent=True)
        if os.environ.get("DATABASE_URL"):
            app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    _apply_environment(app)
    if config is not None:
        app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.setdefault("SQLALCHEMY_DATABASE_URI",
                          "sqlite:///" + os.path.join(app.instance_path, "territoires.sqlite"))
    app.config["SQLALCHEMY_DATABASE_URI"] = _normalise_db_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://"):
        _describe_lazily(app)
    if not app.config.get("UPLOAD_DIR"):
        app.config["UPLOAD_DIR"] = os.path.join(app.instance_path, "uploads")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app.instance_path)

    if app.config.get("PROXY_FIX_X_FOR"):
        # Behind a reverse proxy: trust its X-Forwarded-* headers (client address for the
        # login throttle and the audit log, scheme and host for links).
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = int(app.config["PROXY_FIX_X_FOR"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            reconnect.ping_rested_connections(engine, app.config["DATABASE_PING_AFTER_IDLE"])
            if engine.dialect.name == "postgresql":
                postgres.begin_at_first_write(engine)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"),
                     render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    limits.init_app(app)
    mailer.init_app(app)
    inputs.init_app(app)
    widgets.install()

    _register_blueprints(app)
    from .accounts import sessions
    sessions.init_app(app)
    security.init_app(app)
    _register_template_helpers(app)
    _register_error_pages(app)

    from .cli import register_cli
    register_cli(app)
    return app


def _instance_path() -> str | None:
    """``TERRITOIRES_INSTANCE``: the folder of this server's own files (configuration, secret,
    search index; None: ``instance/`` beside the code)."""
    folder = os.environ.get("TERRITOIRES_INSTANCE")
    return os.path.abspath(folder) if folder else None


def _apply_environment(app: Flask) -> None:
    for key in ENV_OVERRIDES:
        if key not in os.environ:
            continue
        raw = os.environ[key]
        default = app.config.get(key)
        if isinstance(default, bool):
            value = raw.lower() in ("1", "true", "yes", "oui")
        elif isinstance(default, int):
            value = int(raw)
        elif isinstance(default, list):
            value = [part.strip() for part in raw.split(",") if part.strip()]
        else:
            value = raw
        app.config[key] = value


def _normalise_db_url(url: str) -> str:
    # "postgresql://" means psycopg 3 here (the only driver we install).
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _describe_lazily(app: Flask) -> None:
    """PostgreSQL: psycopg's cursors describe their columns only when read (core/postgres)."""
    from .core.postgres import Cursor
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options["connect_args"] = {"cursor_factory": Cursor, **options.get("connect_args", {})}
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _instance_secret(instance_path: str) -> str:
    """A per-instance secret, generated once, so a fresh `make run` is safe without setup."""
    path = Path(instance_path) / ".secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _register_blueprints(app: Flask) -> None:
    from .accounts.proconnect import bp as proconnect_bp
    from .accounts.mfa.views import bp as mfa_bp
    from .accounts.views import bp as accounts_bp
    from .ads.views import bp as ads_bp
    from .agenda.views import bp as agenda_bp
    from .admin.views import bp as admin_bp
    from .contacts.views import bp as contacts_bp
    from .core.views import bp as core_bp
    from .documents.views import bp as documents_bp
    from .documents.views import approvals_bp, sharing_bp
    from .forums.views import bp as forums_bp
    from .jobs.views import bp as jobs_bp
    from .lists.views import bp as lists_bp
    from .messaging.views import bp as messaging_bp
    from .notifications.views import bp as notifications_bp
    from .publications.aids.views import bp as aids_bp
    from .publications.deliberations.views import bp as deliberations_bp
    from .publications.orgcharts.views import bp as orgcharts_bp
    from .publications.press.views import bp as press_bp
    from .publications.procurement.views import bp as procurement_bp
    from .privacy.views import bp as privacy_bp
    from .search.views import bp as search_bp
    from .spaces.views import bp as spaces_bp
    from .spaces.views import home_bp
    from .subsidies.views import bp as subsidies_bp

    for blueprint in (home_bp, core_bp, accounts_bp, proconnect_bp, spaces_bp, documents_bp, deliberations_bp, aids_bp,
                      procurement_bp, orgcharts_bp, press_bp, search_bp, notifications_bp, admin_bp,
                      messaging_bp, lists_bp, forums_bp, agenda_bp, contacts_bp, jobs_bp,
                      ads_bp, subsidies_bp, mfa_bp, privacy_bp, approvals_bp, sharing_bp):
        app.register_blueprint(blueprint)


def _register_template_helpers(app: Flask) -> None:
    from .core import accessibility, fragments, frdates, hooks, money, sanitize, timeutil, urls
    from .spaces.activity import activity_list
    from .spaces.navigation import navigation_context, space_home

    urls.init_app(app)
    fragments.init_app(app)
    app.jinja_env.globals.update(access.TEMPLATE_GLOBALS)
    app.jinja_env.globals["accessibility_level"] = accessibility.current_level
    app.jinja_env.globals["space_home"] = space_home
    app.jinja_env.globals["render_field"] = widgets.render_field
    app.jinja_env.globals["checkbox_rows"] = widgets.checkbox_rows
    app.jinja_env.globals["activity_list"] = activity_list
    app.jinja_env.filters.update(date_fr=frdates.format_date, datetime_fr=frdates.format_datetime,
                                 relative_fr=frdates.format_relative,
                                 datetime_attr=timeutil.machine_readable,
                                 text_html=sanitize.text_markup, euros=money.euros)
    app.context_processor(navigation_context)
    app.context_processor(hooks.header_counters)


def _register_error_pages(app: Flask) -> None:
    messages = {
        400: ("Requête invalide", "La requête n'a pas pu être comprise. Si vous avez envoyé un "
              "formulaire, rechargez la page et réessayez : votre session a peut-être expiré."),
        403: ("Accès refusé", "Vous n'avez pas les droits nécessaires pour faire cela."),
        404: ("Page introuvable", "Cette page n'existe pas, ou vous n'avez pas accès à son contenu."),
        405: ("Action impossible", "Cette adresse ne s'utilise pas de cette façon."),
        413: ("Fichier trop volumineux", "Le fichier envoyé dépasse la taille autorisée."),
        429: ("Trop de tentatives", "Veuillez patienter quelques minutes avant de réessayer."),
        500: ("Erreur interne", "Une erreur est survenue de notre côté. Rien de ce que vous avez "
              "saisi n'a été enregistré à moitié ; réessayez dans un instant."),
    }

    def handler(error):
        code = getattr(error, "code", 500) or 500
        if code == 500:
            db.session.rollback()
        if access.must_sign_in_first(current_user, request.method, request.endpoint, code):
            return login_manager.unauthorized()   # accounts.views.sign_in_first
        title, text = messages.get(code, messages[500])
        if isinstance(error, inputs.BadInput):
            text = error.description
        return render_template("core/error.html", code=code, title=title, text=text), code

    for code in messages:
        app.register_error_handler(code, handler)
    form_expiry.register(app, handler)
