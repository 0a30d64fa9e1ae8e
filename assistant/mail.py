"""Sends e-mail: over SMTP when ``settings.smtp_host`` is set, otherwise as .eml files in the outbox.

The development outbox (``settings.outbox_dir``) is read with ``assistant mail outbox``.
API: ``send(to=..., subject=..., body=...)``; ``outbox(limit=...)`` lists the newest files.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from email.parser import BytesParser
from email.utils import formatdate, make_msgid
from pathlib import Path

from assistant.settings import get_settings, is_loopback


log = logging.getLogger(__name__)
_background = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mail")


class MailSecurityError(RuntimeError):
    """The mail server cannot be reached over verified TLS, so nothing secret was sent."""


@dataclass(frozen=True)
class Attachment:
    """A file attached to a message, e.g. an iCalendar invite (``text/calendar``, params ``{"method": "REQUEST"}``)."""

    filename: str
    content: bytes
    maintype: str
    subtype: str
    params: dict[str, str] = field(default_factory=dict)


def send(*, to: str, subject: str, body: str, headers: dict[str, str] | None = None,
         attachments: list[Attachment] = ()) -> str:
    """Sends one plain-text message (with any extra headers and attachments); returns its Message-ID."""
    settings = get_settings()
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=settings.mail_from.rpartition("@")[2] or None)
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for item in attachments:
        message.add_attachment(item.content, maintype=item.maintype, subtype=item.subtype, filename=item.filename,
                               params=item.params)
    if settings.smtp_host:
        _send_smtp(message)
    else:
        outbox = settings.outbox_dir
        outbox.mkdir(parents=True, exist_ok=True)
        name = f"{_stamp()}-{uuid.uuid4().hex[:8]}.eml"
        tmp = outbox / f".{name}.tmp"
        tmp.write_bytes(message.as_bytes())
        tmp.chmod(0o600)
        tmp.replace(outbox / name)
    return str(message["Message-ID"])


def send_in_background(**message: object) -> Future:
    """Starts ``send(**message)`` in a worker thread; returns its future (a failure is logged and kept in it)."""

    def run() -> str:
        try:
            return send(**message)  # type: ignore[arg-type]
        except Exception as error:
            log.warning("background e-mail failed", extra={"error": type(error).__name__})
            raise

    return _background.submit(run)


def _send_smtp(message: EmailMessage) -> None:
    """Sends over SMTP with a verified certificate (port 465: TLS from the start; else STARTTLS).

    Without STARTTLS, only a relay on this machine may be used, and never with a password: codes and
    credentials do not cross a network in clear text.
    """
    settings = get_settings()
    context = ssl.create_default_context()  # verifies the certificate chain and the host name
    if settings.smtp_port == 465:
        client = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=20, context=context)
    else:
        client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20)
    with client as smtp:
        if not isinstance(smtp, smtplib.SMTP_SSL):
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
            elif settings.smtp_user or not is_loopback(settings.smtp_host):
                raise MailSecurityError(f"{settings.smtp_host}:{settings.smtp_port} offers no STARTTLS: refusing to send "
                                        "credentials or one-time codes in clear text")
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.secret("smtp_password"))
        smtp.send_message(message)


def _stamp() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")


def outbox(*, limit: int = 10, to: str | None = None) -> list[EmailMessage]:
    """Returns the newest messages in the development outbox (newest first), optionally only those to one address."""
    folder: Path = get_settings().outbox_dir
    if not folder.exists():
        return []
    messages = []
    for path in sorted(folder.glob("*.eml"), reverse=True):
        message = BytesParser(policy=default_policy).parsebytes(path.read_bytes())
        if to is None or str(message["To"]).lower() == to.lower():
            messages.append(message)
        if len(messages) >= limit:
            break
    return messages
