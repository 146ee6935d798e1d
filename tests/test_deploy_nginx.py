"""The shipped nginx site (deploy/nginx/territoires.conf), ports and paths substituted, in front
of gunicorn: static files come from nginx, the application sees the client's address through
the proxy (and not an X-Forwarded-For the client made up), HTTP goes to HTTPS, and an upload
larger than the application's limit is refused by nginx with a French page.

The client speaks IPv6 (::1) to nginx, which speaks IPv4 to gunicorn: with
``TRUSTED_NETWORKS=::1/128`` the sign-in page says « réseau de confiance » only if the
application read the client's address from nginx's header. Skipped, saying why, where nginx
or openssl is not installed."""
from __future__ import annotations

import http.client
import os
import shutil
import ssl
import subprocess
import tempfile
from pathlib import Path

import pytest

from . import servers
from .browser_fixtures import missing_tool

SITE = servers.ROOT / "deploy" / "nginx" / "territoires.conf"
TRUSTED = "Vous êtes sur le réseau de confiance"
OUTSIDE = "Vous vous connectez depuis l'extérieur"


def _site(folder: Path, http_port: int, https_port: int, app_port: int) -> str:
    """The shipped site, listening on loopback ports, with a certificate made for the test."""
    site = SITE.read_text()
    for shipped, here in (
            ("listen 80;", f"listen 127.0.0.1:{http_port};"),
            ("listen [::]:80;", f"listen [::1]:{http_port};"),
            ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
            ("listen [::]:443 ssl http2;", f"listen [::1]:{https_port} ssl http2;"),
            ("/etc/letsencrypt/live/territoires.example.fr/fullchain.pem",
             str(folder / "cert.pem")),
            ("/etc/letsencrypt/live/territoires.example.fr/privkey.pem", str(folder / "key.pem")),
            ("/srv/territoires", str(servers.ROOT)),
            ("127.0.0.1:8000", f"127.0.0.1:{app_port}")):
        assert shipped in site, f"the shipped site no longer has « {shipped} »"
        site = site.replace(shipped, here)
    return site


@pytest.fixture
def behind_nginx():
    """(https port, http port) of nginx in front of gunicorn, both started for the test."""
    nginx, openssl = shutil.which("nginx") or "/usr/sbin/nginx", shutil.which("openssl")
    if not os.path.exists(nginx) or openssl is None:
        missing_tool("nginx ou openssl n'est pas installé : "
                     "le site nginx livré ne se teste pas ici")
    folder = Path(tempfile.mkdtemp(prefix="territoires-nginx-"))
    try:
        subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=territoires.example.fr", "-keyout", str(folder / "key.pem"),
                        "-out", str(folder / "cert.pem")], check=True, capture_output=True)
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'territoires.sqlite'}",
               "SECRET_KEY": "essai-du-site-nginx", "SEARCH_INDEX_DIR": str(folder / "index"),
               "PROXY_FIX_X_FOR": "1", "TRUSTED_NETWORKS": "::1/128"}
        servers.prepare(env)
        app_port = servers.free_port()
        http_port, https_port = servers.free_port(), servers.free_port()
        (folder / "site.conf").write_text(_site(folder, http_port, https_port, app_port))
        temporary = " ".join(f"{kind}_temp_path {folder / kind};"
                             for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (folder / "nginx.conf").write_text(
            f"user root;\nworker_processes 1;\npid {folder / 'nginx.pid'};\n"
            f"error_log {folder / 'error.log'};\nevents {{ worker_connections 64; }}\n"
            f"http {{ include /etc/nginx/mime.types; access_log {folder / 'access.log'};\n"
            f"{temporary}\ninclude {folder / 'site.conf'}; }}\n")
        with servers.running(servers.gunicorn(app_port), env=env, port=app_port,
                             what="gunicorn"), \
                servers.running([nginx, "-p", str(folder), "-c", str(folder / "nginx.conf"),
                                 "-g", "daemon off;"], env=env, port=https_port, what="nginx"):
            yield https_port, http_port
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _ask(host: str, port: int, method: str, path: str, headers: dict | None = None,
         tls: bool = True):
    """(status, headers, body) of one request; a ``Content-Length`` among ``headers`` is
    announced but no body is sent (nginx answers on the announced length)."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    connection = http.client.HTTPSConnection(host, port, context=context, timeout=30) if tls \
        else http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.putrequest(method, path, skip_host=True)
        for name, value in {"Host": "territoires.example.fr", **(headers or {})}.items():
            connection.putheader(name, value)
        connection.endheaders()
        answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    finally:
        connection.close()


def test_the_shipped_nginx_site_in_front_of_gunicorn(behind_nginx):
    https_port, http_port = behind_nginx
    # Static files are nginx's: the application would have added its security policy.
    status, headers, body = _ask("::1", https_port, "GET", "/static/css/site.css")
    css = (servers.ROOT / "intranet" / "static" / "css" / "site.css").read_bytes()
    assert status == 200 and body == css
    assert headers["Server"].startswith("nginx") and "Content-Security-Policy" not in headers
    # Pages are the application's, which sees the client's address through the proxy, and
    # not the one a client writes in its own X-Forwarded-For.
    status, headers, body = _ask("::1", https_port, "GET", "/connexion",
                                 headers={"X-Forwarded-For": "203.0.113.9"})
    page = body.decode()
    assert status == 200 and "Content-Security-Policy" in headers
    assert TRUSTED in page and OUTSIDE not in page
    status, _, body = _ask("127.0.0.1", https_port, "GET", "/connexion",
                           headers={"X-Forwarded-For": "::1"})
    assert status == 200 and OUTSIDE in body.decode()
    # HTTP is sent to HTTPS.
    status, headers, _ = _ask("::1", http_port, "GET", "/aides/", tls=False)
    assert status == 301 and headers["Location"] == "https://territoires.example.fr/aides/"
    # Larger than the application's limit: refused by nginx, with the French page.
    status, headers, body = _ask("::1", https_port, "POST", "/espaces/mairie/documents/envoyer",
                                 headers={"Content-Type": "application/octet-stream",
                                          "Content-Length": str(21 * 1024 * 1024)})
    assert status == 413
    assert "Fichier trop volumineux" in body.decode() and "rien n'a été modifié" in body.decode()
