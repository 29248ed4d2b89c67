"""A real SMTP server with STARTTLS, a GOV.UK Notify stand-in, and victims who chose a channel."""

from __future__ import annotations

import datetime as dt
import json
import socket
import ssl
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jwt
import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from safeshare.accounts.actors import Actor
from safeshare.cases import actions as case_actions
from safeshare.notifications import actions as notices
from safeshare.people.identity import IdentityIn
from safeshare.referrals.actions import do_make_referral
from tests.pages.conftest import *  # noqa: F403
from tests.pages.helpers import BASIS, VICTIM


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "smtp.crt", directory / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class Mailbox:
    messages: list = field(default_factory=list)
    logins: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        import email
        import email.policy

        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"


def _authenticator(mailbox: Mailbox):
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def check(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login,
            auth_data.password,
        ) == (b"safeshare", b"s3cret pass")
        mailbox.logins.append(ok)
        return AuthResult(success=ok)

    return check


@pytest.fixture
def smtp_server(tmp_path, settings):
    """aiosmtpd on a free port that requires STARTTLS and a login; the settings point at it."""
    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(
        mailbox,
        hostname="localhost",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=_authenticator(mailbox),
        auth_require_tls=True,
    )
    controller.start()
    settings.SAFESHARE_SMTP_URL = f"smtp://safeshare:s3cret%20pass@localhost:{port}"
    settings.SAFESHARE_SMTP_CA_FILE = str(cert)
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def plain_smtp_server(settings):
    """An SMTP server that offers no STARTTLS."""
    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="localhost", port=port)
    controller.start()
    settings.SAFESHARE_SMTP_URL = f"smtp://safeshare:pw@localhost:{port}"
    try:
        yield mailbox
    finally:
        controller.stop()


SERVICE_ID = str(uuid.UUID(int=0x1234))
SECRET = str(uuid.UUID(int=0xABCDEF))
API_KEY = f"safeshare_test-{SERVICE_ID}-{SECRET}"


@dataclass
class NotifyStandIn:
    url: str
    requests: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    statuses: dict = field(default_factory=dict)


@pytest.fixture
def notify_server(settings):
    """A local stand-in for GOV.UK Notify that checks each request as Notify would: the JWT
    signed with the key's secret, issued by the service, fresh; the body's fields."""
    stand_in = NotifyStandIn(url="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _check_auth(self) -> bool:
            header = self.headers.get("Authorization", "")
            if not header.startswith("Bearer "):
                stand_in.problems.append("no bearer token")
                return False
            try:
                claims = jwt.decode(header[7:], SECRET, algorithms=["HS256"])
            except jwt.InvalidTokenError as error:
                stand_in.problems.append(f"bad token: {error}")
                return False
            if claims.get("iss") != SERVICE_ID:
                stand_in.problems.append("token not issued by the service")
                return False
            return True

        def _reply(self, code: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            if not self._check_auth():
                return self._reply(403, {"errors": [{"error": "AuthError"}]})
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            stand_in.requests.append((self.path, body))
            kind = self.path.rsplit("/", 1)[-1]
            recipient = {"sms": "phone_number", "email": "email_address"}.get(kind)
            missing = {recipient, "template_id", "personalisation"} - set(body)
            if recipient is None or missing:
                stand_in.problems.append(f"bad request {self.path} {sorted(missing or [])}")
                return self._reply(400, {"errors": [{"error": "BadRequestError"}]})
            if set(body["personalisation"]) != {"subject", "body"}:
                stand_in.problems.append("personalisation must be subject and body")
                return self._reply(400, {"errors": [{"error": "BadRequestError"}]})
            notification_id = str(uuid.uuid4())
            stand_in.statuses[notification_id] = "sending"
            return self._reply(201, {"id": notification_id, "reference": body.get("reference")})

        def do_GET(self):
            if not self._check_auth():
                return self._reply(403, {"errors": [{"error": "AuthError"}]})
            notification_id = self.path.rsplit("/", 1)[-1]
            if notification_id not in stand_in.statuses:
                return self._reply(404, {"errors": [{"error": "NoResultFound"}]})
            return self._reply(
                200, {"id": notification_id, "status": stand_in.statuses[notification_id]}
            )

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stand_in.url = f"http://127.0.0.1:{server.server_address[1]}"
    settings.SAFESHARE_NOTIFY_API_KEY = API_KEY
    settings.SAFESHARE_NOTIFY_BASE_URL = stand_in.url
    settings.SAFESHARE_NOTIFY_SMS_TEMPLATE = str(uuid.UUID(int=7))
    settings.SAFESHARE_NOTIFY_EMAIL_TEMPLATE = str(uuid.UUID(int=8))
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def no_channels(settings):
    """Nothing is set up unless a test starts a server."""
    settings.SAFESHARE_SMTP_URL = ""
    settings.SAFESHARE_NOTIFY_API_KEY = ""
    settings.SAFESHARE_LETTER_DIR = ""


def victim_with_contact(case, officer, **contact):
    """A victim whose safe contact is recorded before the referral opens her protection."""
    victim = case_actions.do_add_party(
        case, Actor.for_user(officer), role="victim", identity=IdentityIn(**VICTIM)
    )
    if contact:
        notices.do_record_contact_settings(victim.person, Actor.for_user(officer), **contact)
    do_make_referral(
        victim,
        Actor.for_user(officer),
        triggers=["safeguarding"],
        channel="web",
        source_of_information="police",
        basis=BASIS,
    )
    return victim


@pytest.fixture(autouse=True)
def _ie_unit_exists(ie_unit):
    """Referrals go to an IE unit, and opening a protection needs one."""
