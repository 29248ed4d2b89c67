"""The channels notices go out through, behind one small interface.

``send`` hands a notice over and returns the provider's reference and whether delivery is
already known; ``status`` asks the provider what became of a notice it accepted. A channel that
is not configured is ``None`` from ``channel_for``: its notices wait in the queue.
"""

from __future__ import annotations

import datetime as dt
import email.message
import email.utils
import smtplib
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from django.conf import settings

from safeshare.notifications.letters import deemed_delivered, render_letter


class ChannelError(Exception):
    """The channel could not take the notice; ``permanent`` when trying again cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Outgoing:
    reference: str
    recipient: str
    subject: str
    body: str
    language: str


@dataclass(frozen=True)
class Sent:
    provider_reference: str
    delivered_at: dt.datetime | None = None


class DeliveryState:
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class ChannelBackend(Protocol):
    def send(self, outgoing: Outgoing) -> Sent: ...

    def status(
        self, provider_reference: str, sent_at: dt.datetime, now: dt.datetime
    ) -> tuple[str, str]: ...


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    username: str
    password: str
    sender: str
    ca_file: str


def parse_smtp_url(url: str, sender: str, ca_file: str = "") -> SmtpConfig:
    """Read ``smtp://user:pass@host:port``; a malformed URL raises ``ValueError``."""
    parts = urlsplit(url)
    if parts.scheme != "smtp" or not parts.hostname:
        raise ValueError("SAFESHARE_SMTP_URL must look like smtp://user:pass@host:port")
    return SmtpConfig(
        host=parts.hostname,
        port=parts.port or 587,
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        sender=sender,
        ca_file=ca_file,
    )


class SmtpEmail:
    """Email over SMTP. Always STARTTLS with the certificate checked: a server that does not
    offer it is not sent anything, so neither the notice nor the password crosses in clear.
    The receiving server's acceptance is recorded as delivery; a bounce is recorded as
    returned by staff."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    def send(self, outgoing: Outgoing) -> Sent:
        message = email.message.EmailMessage()
        message["From"] = self.config.sender
        message["To"] = outgoing.recipient
        message["Subject"] = outgoing.subject
        message["Message-ID"] = email.utils.make_msgid(domain="safeshare.invalid")
        message["Content-Language"] = outgoing.language
        message.set_content(outgoing.body)
        context = ssl.create_default_context(cafile=self.config.ca_file or None)
        try:
            with smtplib.SMTP(self.config.host, self.config.port, timeout=30) as server:
                server.ehlo()
                if not server.has_extn("starttls"):
                    raise ChannelError(
                        "The SMTP server does not offer STARTTLS; nothing was sent."
                    )
                server.starttls(context=context)
                server.ehlo()
                if self.config.username:
                    server.login(self.config.username, self.config.password)
                refused = server.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            raise ChannelError("The email address was refused.", permanent=True) from error
        except (smtplib.SMTPException, OSError, ssl.SSLError) as error:
            if isinstance(error, ChannelError):
                raise
            raise ChannelError(f"Email could not be sent: {error}") from error
        if refused:
            raise ChannelError("The email address was refused.", permanent=True)
        return Sent(provider_reference=message["Message-ID"], delivered_at=_now())

    def status(
        self, provider_reference: str, sent_at: dt.datetime, now: dt.datetime
    ) -> tuple[str, str]:
        return DeliveryState.DELIVERED, ""


NOTIFY_FAILED = {
    "permanent-failure",
    "temporary-failure",
    "technical-failure",
    "validation-failed",
}


class GovukNotify:
    """Email or text message through GOV.UK Notify's official client, with one template per
    channel that has ``((subject))`` and ``((body))`` placeholders."""

    def __init__(self, kind: str, api_key: str, base_url: str, template_id: str) -> None:
        from notifications_python_client.notifications import NotificationsAPIClient

        self.kind = kind
        self.template_id = template_id
        self.client = NotificationsAPIClient(api_key, base_url=base_url)

    def send(self, outgoing: Outgoing) -> Sent:
        from notifications_python_client.errors import HTTPError

        personalisation = {"subject": outgoing.subject, "body": outgoing.body}
        try:
            if self.kind == "sms":
                response = self.client.send_sms_notification(
                    phone_number=outgoing.recipient,
                    template_id=self.template_id,
                    personalisation=personalisation,
                    reference=outgoing.reference,
                )
            else:
                response = self.client.send_email_notification(
                    email_address=outgoing.recipient,
                    template_id=self.template_id,
                    personalisation=personalisation,
                    reference=outgoing.reference,
                )
        except HTTPError as error:
            permanent = error.status_code == 400
            raise ChannelError(
                f"GOV.UK Notify refused it: {error}", permanent=permanent
            ) from error
        except Exception as error:
            raise ChannelError(f"GOV.UK Notify could not be reached: {error}") from error
        return Sent(provider_reference=response["id"])

    def status(
        self, provider_reference: str, sent_at: dt.datetime, now: dt.datetime
    ) -> tuple[str, str]:
        try:
            result = self.client.get_notification_by_id(provider_reference)
        except Exception as error:
            return DeliveryState.PENDING, f"Status not known yet: {error}"
        state = result.get("status", "")
        if state == "delivered":
            return DeliveryState.DELIVERED, ""
        if state in NOTIFY_FAILED:
            return DeliveryState.FAILED, f"GOV.UK Notify reports {state}"
        return DeliveryState.PENDING, state


class PrintQueueLetter:
    """A print-ready PDF in the print-queue folder. Deemed delivered on the second working day
    after it is placed there (first-class post, as in CPR 6.26)."""

    def __init__(self, folder: str) -> None:
        self.folder = Path(folder)

    def send(self, outgoing: Outgoing) -> Sent:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            pdf = render_letter(
                address=outgoing.recipient,
                subject=outgoing.subject,
                body=outgoing.body,
                language=outgoing.language,
                sent_on=_now().date(),
            )
            path = self.folder / f"{outgoing.reference}.pdf"
            partial = path.with_suffix(".part")
            partial.write_bytes(pdf)
            partial.replace(path)
        except OSError as error:
            raise ChannelError(f"The letter could not be written: {error}") from error
        return Sent(provider_reference=path.name)

    def status(
        self, provider_reference: str, sent_at: dt.datetime, now: dt.datetime
    ) -> tuple[str, str]:
        if now.date() >= deemed_delivered(sent_at.date()):
            return DeliveryState.DELIVERED, "Deemed delivered on the second working day"
        return DeliveryState.PENDING, ""


def _now() -> dt.datetime:
    from django.utils import timezone

    return timezone.now()


def channel_for(channel: str) -> ChannelBackend | None:
    """The backend for ``channel`` from the settings, or ``None`` when it is not set up."""
    if channel == "email":
        if settings.SAFESHARE_SMTP_URL:
            return SmtpEmail(
                parse_smtp_url(
                    settings.SAFESHARE_SMTP_URL,
                    settings.SAFESHARE_SMTP_FROM,
                    settings.SAFESHARE_SMTP_CA_FILE,
                )
            )
        if settings.SAFESHARE_NOTIFY_API_KEY and settings.SAFESHARE_NOTIFY_EMAIL_TEMPLATE:
            return GovukNotify(
                "email",
                settings.SAFESHARE_NOTIFY_API_KEY,
                settings.SAFESHARE_NOTIFY_BASE_URL,
                settings.SAFESHARE_NOTIFY_EMAIL_TEMPLATE,
            )
        return None
    if channel == "sms":
        if settings.SAFESHARE_NOTIFY_API_KEY and settings.SAFESHARE_NOTIFY_SMS_TEMPLATE:
            return GovukNotify(
                "sms",
                settings.SAFESHARE_NOTIFY_API_KEY,
                settings.SAFESHARE_NOTIFY_BASE_URL,
                settings.SAFESHARE_NOTIFY_SMS_TEMPLATE,
            )
        return None
    if channel == "letter":
        return (
            PrintQueueLetter(settings.SAFESHARE_LETTER_DIR)
            if settings.SAFESHARE_LETTER_DIR
            else None
        )
    return None


NOT_SET_UP = {
    "email": "Not sent: no email service is set up (SAFESHARE_SMTP_URL or GOV.UK Notify).",
    "sms": "Not sent: no text message service is set up (GOV.UK Notify).",
    "letter": "Not sent: no print queue folder is set up (SAFESHARE_LETTER_DIR).",
}
