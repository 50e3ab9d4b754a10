"""E-mail through the city's mail server: the digest and the alerts go out here.

Host, port, STARTTLS, sender and the dashboard's base URL are settings (`cchc settings smtp_host=… smtp_port=…
smtp_starttls=1 mail_from=… base_url=…`); the SMTP account comes from the environment only (CCHC_SMTP_USER,
CCHC_SMTP_PASSWORD), never from a file the dashboard writes. A send that fails for a passing reason (connection
refused or dropped, a 4xx answer) is retried a bounded number of times with a growing pause; a permanent refusal
(5xx) is not retried. Either way the
caller gets a MailError naming the server and the reason: nothing is dropped silently."""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from .errors import HintedError

ATTEMPTS = 3  # one send and two retries
BACKOFF_SECONDS = 5.0  # pause before retry n: BACKOFF × 2^(n−1) (CCHC_SMTP_BACKOFF overrides, e.g. 0.1 in tests)
TIMEOUT_SECONDS = 30


class MailError(HintedError, RuntimeError):
    def __init__(self, message: str, attempts: int, cli_hint: str = ""):
        super().__init__(message, cli_hint)
        self.attempts = attempts


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    starttls: bool = False

    @property
    def label(self) -> str:
        return f"{self.host}:{self.port}"


def server_from(settings: dict, override: str | None = None, starttls: bool = False) -> Server:
    """The mail server: `--smtp HOST:PORT` if given, else the settings smtp_host / smtp_port; STARTTLS when asked
    (`--starttls`) or set (smtp_starttls=1), so the alerts and the page's test send use it too."""
    if override:
        host, _, port = override.rpartition(":")
        if not host:
            host, port = override, settings.get("smtp_port") or "25"
    else:
        host, port = settings.get("smtp_host") or "", settings.get("smtp_port") or "25"
    if not host:
        raise MailError("chưa có máy chủ thư", 0,
                        cli_hint="đặt `cchc settings smtp_host=… smtp_port=…` hoặc dùng --smtp HOST:PORT")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise MailError(f"cổng SMTP không hợp lệ: {port!r} (1–65535)", 0)
    return Server(host, int(port), starttls or settings.get("smtp_starttls") == "1")


def sender_from(settings: dict) -> str:
    sender = (settings.get("mail_from") or "").strip()
    if not sender:
        return f"cchc@{socket.getfqdn() or 'localhost'}"
    return sender


def new_message(subject: str, sender: str, to: list[str], text: str, html: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    return msg


def attach(msg: EmailMessage, data: bytes, filename: str, maintype: str, subtype: str) -> None:
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)


def _transient(exc: Exception) -> bool:
    if isinstance(exc, (ssl.SSLError, smtplib.SMTPNotSupportedError)):  # a certificate is not trusted on a retry
        return False
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    return isinstance(exc, (OSError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError))


def _reason(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"máy chủ trả lời {exc.smtp_code} {text}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "máy chủ từ chối người nhận: " + ", ".join(f"{a} ({c})" for a, (c, _) in exc.recipients.items())
    if isinstance(exc, ConnectionRefusedError):
        return "kết nối bị từ chối"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (f"không tin được chứng chỉ của máy chủ thư ({exc.verify_message or exc.reason}); nếu máy chủ dùng "
                "chứng chỉ của CA nội bộ, đặt biến môi trường CCHC_SMTP_CAFILE là tệp chứng chỉ CA đó")
    if isinstance(exc, ssl.SSLError):
        return f"lỗi TLS khi STARTTLS: {exc.reason or exc}"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return "máy chủ thư không hỗ trợ STARTTLS"
    return f"{type(exc).__name__}: {exc}"


def deliver(msg: EmailMessage, server: Server, sleep: Callable[[float], None] = time.sleep) -> int:
    """Send `msg`; returns the number of attempts it took. Raises MailError after the last failed attempt."""
    backoff = float(os.environ.get("CCHC_SMTP_BACKOFF") or BACKOFF_SECONDS)
    user, password = os.environ.get("CCHC_SMTP_USER"), os.environ.get("CCHC_SMTP_PASSWORD")
    cafile = os.environ.get("CCHC_SMTP_CAFILE") or None
    if server.starttls and cafile and not os.path.isfile(cafile):
        raise MailError(f"không gửi được thư qua {server.label}: CCHC_SMTP_CAFILE không phải là tệp", 0,
                        cli_hint=f"CCHC_SMTP_CAFILE={cafile}")
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_SECONDS) as smtp:
                if server.starttls:
                    smtp.starttls(context=ssl.create_default_context(cafile=cafile))
                if user:
                    smtp.login(user, password or "")
                smtp.send_message(msg)
            return attempt
        except (OSError, smtplib.SMTPException) as exc:
            if attempt == ATTEMPTS or not _transient(exc):
                hint = "bỏ --starttls, hoặc dùng máy chủ có STARTTLS" if isinstance(
                    exc, smtplib.SMTPNotSupportedError) else ""
                raise MailError(f"không gửi được thư qua {server.label} sau {attempt} lần thử: {_reason(exc)}",
                                attempt, hint) from exc
            sleep(backoff * 2 ** (attempt - 1))
    raise AssertionError("unreachable")
