"""Real SMTP servers for the list tests: an outbound sink (the MAIL_SERVER the worker sends
to) and the application's own inbound listener, each on a free 127.0.0.1 port, stopped at
the end of the test."""
from __future__ import annotations

import smtplib

import pytest

from intranet.lists.listener import make_controller

from ..servers import SinkServer, free_port


@pytest.fixture
def smtp_sink(app, data_app):
    """The outbound SMTP server (aiosmtpd), set as MAIL_SERVER for the worker."""
    server = SinkServer(free_port())
    server.start()
    for flask_app in (app, data_app):
        flask_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
    yield server
    server.stop()
    for flask_app in (app, data_app):
        flask_app.config.update(MAIL_SERVER=None, MAIL_PORT=25)


@pytest.fixture
def listener(app):
    """The application's inbound listener (SMTP) on a free port; ``send`` posts to it."""
    port = free_port()
    controller = make_controller(app, "127.0.0.1", port)
    controller.start()

    class Client:
        def __init__(self):
            self.port = port

        def send(self, data: bytes | str, sender: str, recipients: list[str]):
            """(code, text) of the server's answer to DATA, or raises for RCPT refusals."""
            if isinstance(data, str):
                data = data.encode("utf-8")
            with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
                smtp.ehlo("test.example")
                code, text = smtp.mail(sender)
                assert code == 250, text
                for rcpt in recipients:
                    code, text = smtp.rcpt(rcpt)
                    if code != 250:
                        return code, text.decode()
                code, text = smtp.data(data)
                return code, text.decode()
    yield Client()
    controller.stop()
