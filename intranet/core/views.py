"""Pages about the site itself: accessibility statement, legal notice, and the security
contact (``/.well-known/security.txt``, RFC 9116)."""
from datetime import datetime, timedelta, timezone

from flask import Blueprint, Response, current_app, render_template

from . import accessibility as rgaa
from .urls import absolute

bp = Blueprint("core", __name__)
_STARTED = datetime.now(timezone.utc)


@bp.get("/accessibilite")
def accessibility():
    return render_template("core/accessibility.html", statement=rgaa.statement(),
                           levels=(rgaa.FULLY_COMPLIANT, rgaa.PARTIALLY_COMPLIANT,
                                   rgaa.NON_COMPLIANT))


@bp.get("/mentions-legales")
def legal():
    return render_template("core/legal.html")


def security_txt_expiry() -> datetime:
    """When the security contact is to be read as stale: ``SECURITY_TXT_EXPIRES``, or 180
    days after this process started."""
    configured = current_app.config.get("SECURITY_TXT_EXPIRES")
    if configured:
        moment = datetime.fromisoformat(str(configured))
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return (_STARTED + timedelta(days=180)).replace(microsecond=0)


@bp.get("/.well-known/security.txt")
def security_txt():
    """RFC 9116: who to tell about a vulnerability, in which languages, until when."""
    config = current_app.config
    lines = [f"Contact: {contact}" for contact in config["SECURITY_CONTACTS"]]
    lines.append("Expires: " + security_txt_expiry().astimezone(timezone.utc)
                 .strftime("%Y-%m-%dT%H:%M:%SZ"))
    lines.append("Preferred-Languages: fr, en")
    lines.append(f"Canonical: {absolute('/.well-known/security.txt')}")
    if config.get("SECURITY_POLICY_URL"):
        lines.append(f"Policy: {config['SECURITY_POLICY_URL']}")
    return Response("\n".join(lines) + "\n", mimetype="text/plain",
                    headers={"Cache-Control": "public, max-age=86400"})
