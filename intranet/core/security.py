"""Security headers, set in one place on every response the application sends.

Pages, redirects, error pages, feeds, JSON, CSV exports, static files and downloads all pass
through ``add_security_headers``. A header a view already set is kept: file downloads
(``core/uploads.py``) send a stricter ``Content-Security-Policy: default-src 'none'; sandbox``.

The policy allows no inline script, no inline style and no ``eval``: the only script is
``static/js/editor.js`` and every style is in ``static/css/site.css``. Images may come from
https, as the sanitiser lets a page show them (``core/sanitize.py``).
"""
from __future__ import annotations

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' https:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

# Powerful features nobody needs here: denied to the page and to anything it could embed.
PERMISSIONS_POLICY = ", ".join([f"{feature}=()" for feature in (
    "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
    "magnetometer", "microphone", "midi", "payment", "screen-wake-lock", "usb",
    "xr-spatial-tracking",
)] + [  # passkeys (accounts/mfa, static/js/webauthn.js): this site's own pages, no frame
    f"{feature}=(self)" for feature in ("publickey-credentials-create",
                                        "publickey-credentials-get")])

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
}

# Sent over HTTPS only (a browser ignores it over HTTP, and it would pin a site that is served
# over plain HTTP on a test machine). No includeSubDomains: other hosts of the authority's
# domain are not ours to pin.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"


_LOWER = {name: name.lower() for name in (*HEADERS, "Strict-Transport-Security")}


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    # The names the response has already, read once (Werkzeug's ``setdefault`` looks for
    # each name with an exception when it is missing: six per response).
    present = {name.lower() for name, _ in headers}
    for name, value in HEADERS.items():
        if _LOWER[name] not in present:
            headers.add(name, value)
    if request.is_secure and "strict-transport-security" not in present:
        headers.add("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
