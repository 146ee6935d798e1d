"""Pages about the site itself: accessibility statement, legal notice."""
from flask import Blueprint, render_template

from . import accessibility as rgaa

bp = Blueprint("core", __name__)


@bp.get("/accessibilite")
def accessibility():
    return render_template("core/accessibility.html", statement=rgaa.statement(),
                           levels=(rgaa.FULLY_COMPLIANT, rgaa.PARTIALLY_COMPLIANT,
                                   rgaa.NON_COMPLIANT))


@bp.get("/mentions-legales")
def legal():
    return render_template("core/legal.html")
