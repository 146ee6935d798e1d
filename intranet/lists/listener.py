"""The inbound mail listener (``flask lists serve``): an aiosmtpd SMTP or LMTP server that
hands each message to ``inbound.receive`` inside the application.

Recipients are checked at RCPT TO (unknown addresses are refused before the data is sent);
the size limit (``LISTS_MAX_MESSAGE_BYTES``) is announced in EHLO and enforced by aiosmtpd
while reading DATA. Database work runs in one worker thread, off the event loop.
"""
from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP

from ..extensions import db
from . import inbound

log = logging.getLogger("intranet.lists.listener")


class ListHandler:
    def __init__(self, app, lmtp: bool = False):
        self.app = app
        self.lmtp = lmtp
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lists-inbound")

    def _in_app(self, function, *args):
        with self.app.app_context():
            try:
                return function(*args)
            finally:
                db.session.remove()

    async def _run(self, function, *args):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, self._in_app, function, *args)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        try:
            outcome = await self._run(inbound.check_recipient, address)
        except Exception:
            log.exception("vérification du destinataire %r impossible", address)
            return "451 4.3.0 Erreur temporaire, reessayez plus tard"
        if outcome.code >= 300:
            return outcome.line
        envelope.rcpt_tos.append(address)
        return outcome.line

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content or envelope.content or b""
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        try:
            outcomes = await self._run(inbound.receive, envelope.mail_from, envelope.rcpt_tos,
                                       data)
        except Exception:  # the database is unreachable…: the sender's server retries later
            log.exception("réception impossible d'un courriel de %r", envelope.mail_from)
            outcomes = [inbound.Outcome(451, "4.3.0 Erreur temporaire, reessayez plus tard")] \
                * len(envelope.rcpt_tos)
        if self.lmtp:  # LMTP: one answer per recipient, in order
            return "\r\n".join(outcome.line for outcome in outcomes)
        return inbound.summary(outcomes)

    def close(self):
        self.executor.shutdown(wait=True)


class ListController(Controller):
    def __init__(self, handler: ListHandler, **kwargs):
        super().__init__(handler, **kwargs)
        self.lmtp = handler.lmtp

    def factory(self) -> SMTP:
        server_class = LMTP if self.lmtp else SMTP
        return server_class(self.handler, **self.SMTP_kwargs)

    def stop(self, *args, **kwargs):
        try:
            super().stop(*args, **kwargs)
        finally:
            self.handler.close()


def make_controller(app, host: str = "127.0.0.1", port: int = 8025, lmtp: bool = False,
                    max_bytes: int | None = None) -> ListController:
    """A listener ready to ``start()`` (and ``stop()``), used by the CLI and by tests."""
    with app.app_context():
        limit = max_bytes or inbound.max_bytes()
        server_hostname = app.config["LISTS_DOMAIN"]
    return ListController(ListHandler(app, lmtp=lmtp), hostname=host, port=port,
                          data_size_limit=limit, server_hostname=server_hostname,
                          decode_data=False, enable_SMTPUTF8=True)
