"""Home page (public landing or dashboard), accessibility statement, legal notice."""
from flask import Blueprint, render_template
from flask_login import current_user

from ..spaces import services as spaces

bp = Blueprint("core", __name__)


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        return render_template("core/landing.html", news=spaces.public_activity(limit=10))
    return render_template("core/dashboard.html",
                           activity=spaces.dashboard_activity(current_user, limit=40))


@bp.get("/accessibilite")
def accessibility():
    return render_template("core/accessibility.html")


@bp.get("/mentions-legales")
def legal():
    return render_template("core/legal.html")
