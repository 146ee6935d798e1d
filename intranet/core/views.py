"""Pages about the site itself: accessibility statement, legal notice."""
from flask import Blueprint, render_template

bp = Blueprint("core", __name__)


@bp.get("/accessibilite")
def accessibility():
    return render_template("core/accessibility.html")


@bp.get("/mentions-legales")
def legal():
    return render_template("core/legal.html")
