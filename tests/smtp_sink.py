"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd): every message it receives, parsed."""

from __future__ import annotations

import contextlib
import email
import email.policy
import socket

from aiosmtpd.controller import Controller


class _Handler:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.tls: list[bool] = []  # per message: did it arrive over TLS (after STARTTLS)?

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.tls.append(session.ssl is not None)
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def smtp_sink(tls_context=None, port: int | None = None):
    """Yields (port, handler); handler.messages fills as mail arrives. With `tls_context` (an ssl.SSLContext
    holding the server's certificate) the server offers STARTTLS and refuses mail before it."""
    handler = _Handler()
    port = port or free_port()
    tls = dict(tls_context=tls_context, require_starttls=True) if tls_context else {}
    ctl = Controller(handler, hostname="127.0.0.1", port=port, **tls)
    ctl.start()
    try:
        yield port, handler
    finally:
        ctl.stop()
