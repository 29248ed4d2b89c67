"""Django settings for SafeShare, read from the environment.

Defaults give a safe embedded set-up (SQLite in ``var/``); production sets ``DATABASE_URL`` and the
secrets. Nothing secret is committed: a missing secret key is generated into ``var/`` on first use.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.conf import locale as django_locale
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from safeshare.kernel.contact import ContactPoint, contact_problems

PROJECT_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("SAFESHARE_VAR_DIR", PROJECT_DIR / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_flag(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable ("1", "true", "yes", "on" mean yes)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """Read a whole-number environment variable; a bad value stops start-up, saying why."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < minimum:
        raise ImproperlyConfigured(
            f"{name} must be a whole number of at least {minimum}, not {value!r}."
        )
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated environment variable."""
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def secret_from_env_or_file(env_name: str, file_name: str, nbytes: int = 50) -> str:
    """Return a secret from the environment, or from ``var/`` where it is made on first use."""
    value = os.environ.get(env_name)
    if value:
        return value
    path = VAR_DIR / file_name
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(nbytes))
    return path.read_text().strip()


SECRET_KEY = secret_from_env_or_file("SAFESHARE_SECRET_KEY", "secret_key")
# Old keys still accepted for sessions and signed values while a new key takes over
# (docs/operations.md, "Key rotation").
SECRET_KEY_FALLBACKS = env_list("SAFESHARE_SECRET_KEY_FALLBACKS", [])
DEBUG = env_flag("SAFESHARE_DEBUG")
ALLOWED_HOSTS = env_list("SAFESHARE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("SAFESHARE_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "ninja",
    "safeshare.accounts",
    "safeshare.people",
    "safeshare.cases",
    "safeshare.protocol",
    "safeshare.referrals",
    "safeshare.register",
    "safeshare.ledger",
    "safeshare.oversight",
    "safeshare.advice",
    "safeshare.idempotency",
    "safeshare.operations",
    "safeshare.notifications",
    "safeshare.web",
    "safeshare.commands",
    "safeshare.worker",
]

MIDDLEWARE = [
    "safeshare.web.security_headers.SecurityHeadersMiddleware",
    "safeshare.operations.middleware.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "safeshare.web.middleware.RequestIdMiddleware",
    "safeshare.web.strict_input.StrictInputMiddleware",
    "safeshare.operations.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "safeshare.accounts.middleware.StaffSessionTimeoutMiddleware",
    "safeshare.accounts.middleware.AccessControlMiddleware",
]

ROOT_URLCONF = "safeshare.urls"
WSGI_APPLICATION = "safeshare.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "safeshare.web.context_processors.service",
            ],
            "builtins": ["safeshare.web.templatetags.govuk"],
        },
    },
]


def database_from_url(url: str | None) -> dict:
    """Build a Django database setting from ``DATABASE_URL``, or the embedded SQLite default."""
    if url:
        config = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    else:
        config = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "safeshare.sqlite3"),
        }
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE transactions take the write lock at BEGIN, so concurrent writers queue
        # instead of failing on lock upgrade; WAL lets readers run beside one writer.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    config.setdefault("TEST", {})
    return config


DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORM_RENDERER = "safeshare.web.forms.GovukFormRenderer"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:sign-in"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in protection: this many failures within the window locks the account for the window.
SAFESHARE_LOCKOUT_THRESHOLD = env_int("SAFESHARE_LOCKOUT_THRESHOLD", 5, minimum=1)
SAFESHARE_LOCKOUT_MINUTES = env_int("SAFESHARE_LOCKOUT_MINUTES", 15, minimum=1)
SAFESHARE_STAFF_SESSION_MINUTES = env_int("SAFESHARE_STAFF_SESSION_MINUTES", 30, minimum=1)
# Two-step sign-in for every staff member: whoever has not set it up does so at sign-in.
SAFESHARE_SECOND_FACTOR_REQUIRED = env_flag("SAFESHARE_SECOND_FACTOR_REQUIRED", True)
# Changing two-step sign-in needs a sign-in at most this many minutes old.
SAFESHARE_REAUTH_MINUTES = env_int("SAFESHARE_REAUTH_MINUTES", 5, minimum=1)
SAFESHARE_RETRY_AFTER_SECONDS = env_int("SAFESHARE_RETRY_AFTER_SECONDS", 5, minimum=1)
SAFESHARE_API_LOCKOUT_THRESHOLD = env_int("SAFESHARE_API_LOCKOUT_THRESHOLD", 20, minimum=1)
SAFESHARE_API_LOCKOUT_MINUTES = env_int("SAFESHARE_API_LOCKOUT_MINUTES", 15, minimum=1)
# Failed staff sign-ins from one address before it backs off (safeshare.accounts.lockout).
SAFESHARE_ADDRESS_LOCKOUT_THRESHOLD = env_int("SAFESHARE_ADDRESS_LOCKOUT_THRESHOLD", 20, minimum=1)
# The reverse proxies in front (addresses or networks): X-Forwarded-For is believed from them only.
SAFESHARE_TRUSTED_PROXIES = env_list("SAFESHARE_TRUSTED_PROXIES", [])
for _proxy in SAFESHARE_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(
            f"SAFESHARE_TRUSTED_PROXIES must list addresses or networks, not {_proxy!r}."
        ) from _error
# Days a new API token works before it must be rotated (safeshare token create --days).
SAFESHARE_API_TOKEN_DAYS = env_int("SAFESHARE_API_TOKEN_DAYS", 90, minimum=1)

# The protocol custodian's national contact point: whom IE is told to contact under a firewall
# and about a hold (ADR 0053). Unset fields are left out of answers and pages.
SAFESHARE_NATIONAL_CONTACT = {
    "team": os.environ.get(
        "SAFESHARE_NATIONAL_CONTACT_TEAM", "SafeShare protocol custodian (national contact point)"
    ).strip(),
    "telephone": os.environ.get("SAFESHARE_NATIONAL_CONTACT_TELEPHONE", "").strip(),
    "email": os.environ.get("SAFESHARE_NATIONAL_CONTACT_EMAIL", "").strip(),
    "hours": os.environ.get("SAFESHARE_NATIONAL_CONTACT_HOURS", "").strip(),
    "out_of_hours": os.environ.get("SAFESHARE_NATIONAL_CONTACT_OUT_OF_HOURS", "").strip(),
}
_contact_problems = contact_problems(ContactPoint(**SAFESHARE_NATIONAL_CONTACT))
if _contact_problems:
    raise ImproperlyConfigured(
        "SAFESHARE_NATIONAL_CONTACT_*: " + "; ".join(_contact_problems.values()) + "."
    )
# Administration (docs/adr/0024): how long an invitation link works, and the organisation whose
# administrators manage every organisation and its people (others manage only their own).
SAFESHARE_INVITATION_HOURS = env_int("SAFESHARE_INVITATION_HOURS", 72, minimum=1)
SAFESHARE_OPERATOR_ORG = os.environ.get("SAFESHARE_OPERATOR_ORG", "").strip().upper()
# Security notices (an account locked, say) are emailed when an email server is set; they are
# recorded for the holder to see at sign-in either way.
_EMAIL_HOST = os.environ.get("SAFESHARE_EMAIL_HOST", "")
SAFESHARE_EMAIL_NOTICES = bool(_EMAIL_HOST)
MAILERS = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _EMAIL_HOST,
                "port": env_int("SAFESHARE_EMAIL_PORT", 587, minimum=1),
                "use_tls": env_flag("SAFESHARE_EMAIL_TLS", True),
            },
        }
        if _EMAIL_HOST
        else {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}
    )
}
DEFAULT_FROM_EMAIL = os.environ.get("SAFESHARE_EMAIL_FROM", "safeshare@localhost")
# Register entries each process keeps parsed (0: none); see safeshare.register.storage.
SAFESHARE_MATCHING_CACHE = env_int("SAFESHARE_MATCHING_CACHE", 200_000)
# Where matches find the register (safeshare.register.service.index_mode): "database",
# "process" (each process holds it in memory) or "server" (safeshare register serve).
SAFESHARE_MATCHING_INDEX = os.environ.get("SAFESHARE_MATCHING_INDEX", "database").strip()
if SAFESHARE_MATCHING_INDEX not in ("database", "process", "server"):
    raise ImproperlyConfigured(
        "SAFESHARE_MATCHING_INDEX must be database, process or server, "
        f"not {SAFESHARE_MATCHING_INDEX!r}"
    )
# The matcher's parameter file (a model from ``python -m tools.matching.train`` or
# ``tools.matching.em``; its version is recorded with every decision). Empty: the shipped one.
SAFESHARE_MATCHING_MODEL = os.environ.get("SAFESHARE_MATCHING_MODEL", "").strip()
if SAFESHARE_MATCHING_MODEL and not Path(SAFESHARE_MATCHING_MODEL).is_file():
    raise ImproperlyConfigured(
        f"SAFESHARE_MATCHING_MODEL names no file: {SAFESHARE_MATCHING_MODEL!r}"
    )
# The matching server's Unix socket (empty: var/matching.sock).
SAFESHARE_MATCHING_SOCKET = os.environ.get("SAFESHARE_MATCHING_SOCKET", "").strip()
# Who runs IE's uploaded sweeps: "worker" (safeshare sweeps run) or "inline" (the request that
# took the upload, once it has committed: tests and single-process demos).
SAFESHARE_SWEEP_RUNNER = os.environ.get("SAFESHARE_SWEEP_RUNNER", "worker").strip()
if SAFESHARE_SWEEP_RUNNER not in ("worker", "inline"):
    raise ImproperlyConfigured(
        f"SAFESHARE_SWEEP_RUNNER must be worker or inline, not {SAFESHARE_SWEEP_RUNNER!r}"
    )
# A sweep whose heartbeat is older than this is started again (its process stopped).
SAFESHARE_SWEEP_STALE_SECONDS = env_int("SAFESHARE_SWEEP_STALE_SECONDS", 120, minimum=10)

# Who may read /metrics: a bearer token, and/or addresses or networks (comma-separated).
SAFESHARE_METRICS_TOKEN = os.environ.get("SAFESHARE_METRICS_TOKEN", "")
SAFESHARE_METRICS_ALLOW = os.environ.get("SAFESHARE_METRICS_ALLOW", "")

# Alerts to an external system (docs/oversight.md): where (http or https; unset: no webhook),
# the shared secret of the signature, and seconds to wait for the receiver.
SAFESHARE_OVERSIGHT_WEBHOOK_URL = os.environ.get("SAFESHARE_OVERSIGHT_WEBHOOK_URL", "").strip()
if SAFESHARE_OVERSIGHT_WEBHOOK_URL and not SAFESHARE_OVERSIGHT_WEBHOOK_URL.startswith(
    ("http://", "https://")
):
    raise ImproperlyConfigured("SAFESHARE_OVERSIGHT_WEBHOOK_URL must be an http or https address.")
SAFESHARE_OVERSIGHT_WEBHOOK_SECRET = os.environ.get("SAFESHARE_OVERSIGHT_WEBHOOK_SECRET", "")
SAFESHARE_OVERSIGHT_WEBHOOK_TIMEOUT = env_int("SAFESHARE_OVERSIGHT_WEBHOOK_TIMEOUT", 3, minimum=1)
# Messages to the webhook Immigration Enforcement subscribes to (docs/adr/0021): a hold resolved,
# an earlier clear suspended (R9). Unset: no messages are queued.
SAFESHARE_IE_WEBHOOK_URL = os.environ.get("SAFESHARE_IE_WEBHOOK_URL", "").strip()
if SAFESHARE_IE_WEBHOOK_URL and not SAFESHARE_IE_WEBHOOK_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("SAFESHARE_IE_WEBHOOK_URL must be an http or https address.")
SAFESHARE_IE_WEBHOOK_SECRET = os.environ.get("SAFESHARE_IE_WEBHOOK_SECRET", "")
SAFESHARE_IE_WEBHOOK_TIMEOUT = env_int("SAFESHARE_IE_WEBHOOK_TIMEOUT", 3, minimum=1)
# Outbound webhooks to forces' and IE units' systems (docs/adr/0038): seconds to wait for one.
SAFESHARE_WEBHOOK_TIMEOUT = env_int("SAFESHARE_WEBHOOK_TIMEOUT", 3, minimum=1)
# A hold (a possible match waiting for a protocol officer) should be decided within this many
# hours; past it, the worker escalates it to the force's protocol officers and to oversight.
SAFESHARE_HOLD_TARGET_HOURS = env_int("SAFESHARE_HOLD_TARGET_HOURS", 8, minimum=1)

# The worker (safeshare worker): checkpoints at least this often while entries arrive, or as
# soon as this many entries are unsigned; statistics snapshots kept for this many seconds.
SAFESHARE_LEDGER_CHECKPOINT_SECONDS = env_int("SAFESHARE_LEDGER_CHECKPOINT_SECONDS", 10, minimum=1)
SAFESHARE_LEDGER_CHECKPOINT_ENTRIES = env_int(
    "SAFESHARE_LEDGER_CHECKPOINT_ENTRIES", 10_000, minimum=1
)
SAFESHARE_OVERSIGHT_STATISTICS_MAX_AGE = env_int(
    "SAFESHARE_OVERSIGHT_STATISTICS_MAX_AGE", 300, minimum=0
)

# The active protocol policy (see docs/policy.md).
SAFESHARE_POLICY = os.environ.get("SAFESHARE_POLICY", "mvp-2021-promise")

# Notifications to victims (docs/notifications.md). Each channel is off until configured; until
# then notices wait in the queue and staff see that they were not sent.
SAFESHARE_SMTP_URL = os.environ.get("SAFESHARE_SMTP_URL", "")  # smtp://user:pass@host:port


def _smtp_url_ok(url: str) -> bool:
    """``smtp://user:pass@host:port``, as ``notifications.channels.parse_smtp_url`` reads it."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        return False
    return parts.scheme == "smtp" and bool(parts.hostname)


if SAFESHARE_SMTP_URL and not _smtp_url_ok(SAFESHARE_SMTP_URL):
    raise ImproperlyConfigured(
        "SAFESHARE_SMTP_URL must look like smtp://user:pass@host:port, with the user name and "
        "password percent-encoded."
    )
SAFESHARE_SMTP_FROM = os.environ.get("SAFESHARE_SMTP_FROM", "no-reply@safeshare.invalid")
# A CA bundle to check the SMTP server's certificate against (the system's when empty).
SAFESHARE_SMTP_CA_FILE = os.environ.get("SAFESHARE_SMTP_CA_FILE", "")
SAFESHARE_NOTIFY_API_KEY = os.environ.get("SAFESHARE_NOTIFY_API_KEY", "")
SAFESHARE_NOTIFY_BASE_URL = os.environ.get(
    "SAFESHARE_NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"
)
# GOV.UK Notify templates with ((subject)) and ((body)) placeholders, one per channel.
SAFESHARE_NOTIFY_EMAIL_TEMPLATE = os.environ.get("SAFESHARE_NOTIFY_EMAIL_TEMPLATE", "")
SAFESHARE_NOTIFY_SMS_TEMPLATE = os.environ.get("SAFESHARE_NOTIFY_SMS_TEMPLATE", "")
SAFESHARE_LETTER_DIR = os.environ.get("SAFESHARE_LETTER_DIR", "")
# The address victims use to sign in, as written in notices.
SAFESHARE_PUBLIC_URL = os.environ.get("SAFESHARE_PUBLIC_URL", "http://localhost:8000")
# Ledger witnesses (docs/ledger.md, "Witnesses"): comma-separated "<URL> <witness public key>"
# pairs the worker asks to cosign each checkpoint, how many must (0: all), and the wait for each.
SAFESHARE_LEDGER_WITNESSES = env_list("SAFESHARE_LEDGER_WITNESSES", [])
SAFESHARE_LEDGER_WITNESS_QUORUM = env_int("SAFESHARE_LEDGER_WITNESS_QUORUM", 0)
SAFESHARE_LEDGER_WITNESS_TIMEOUT = env_int("SAFESHARE_LEDGER_WITNESS_TIMEOUT", 5, minimum=1)
# The ledger's name and keys (docs/ledger.md, "Keys"): the origin line of every checkpoint; the
# checkpoint signer key (made in var/ on first use if unset) and its verifier key (for processes
# that never sign); during a rotation the retiring signer key; verifier keys retired by rotation
# (comma-separated); the keyed-hash key of people's tokens (hex; made in var/ if unset).
SAFESHARE_LEDGER_ORIGIN = os.environ.get("SAFESHARE_LEDGER_ORIGIN", "").strip()
SAFESHARE_LEDGER_SIGNING_KEY = os.environ.get("SAFESHARE_LEDGER_SIGNING_KEY", "").strip()
SAFESHARE_LEDGER_VERIFIER_KEY = os.environ.get("SAFESHARE_LEDGER_VERIFIER_KEY", "").strip()
SAFESHARE_LEDGER_PREVIOUS_SIGNING_KEY = os.environ.get(
    "SAFESHARE_LEDGER_PREVIOUS_SIGNING_KEY", ""
).strip()
SAFESHARE_LEDGER_OLD_VERIFIER_KEYS = env_list("SAFESHARE_LEDGER_OLD_VERIFIER_KEYS", [])
SAFESHARE_LEDGER_HMAC_KEY = os.environ.get("SAFESHARE_LEDGER_HMAC_KEY", "").strip()
# A folder the worker writes the published ledger to after each checkpoint (empty: none).
SAFESHARE_LEDGER_PUBLISH_DIR = os.environ.get("SAFESHARE_LEDGER_PUBLISH_DIR", "").strip()

LANGUAGE_CODE = "en-gb"
# The languages of the victim's pages, letters and notices, one line each in
# locale/languages.toml, with whether a qualified translator has reviewed each (ADR 0046).
LANGUAGES_FILE = Path(__file__).resolve().parent / "locale" / "languages.toml"
LANGUAGE_REGISTRY = tomllib.loads(LANGUAGES_FILE.read_text(encoding="utf-8"))["languages"]
LANGUAGES = [(item["code"], item["name"]) for item in LANGUAGE_REGISTRY]
# Languages Django does not describe itself (Tigrinya) are added to its LANG_INFO, the table
# that get_language_info() and the {% get_current_language_bidi %} tag read.
for _item in LANGUAGE_REGISTRY:
    django_locale.LANG_INFO.setdefault(
        _item["code"],
        {
            "bidi": bool(_item.get("bidi", False)),
            "code": _item["code"],
            "name": _item["english_name"],
            "name_local": _item["name"],
        },
    )
LOCALE_PATHS = [Path(__file__).resolve().parent / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [
    ("govuk-frontend", PROJECT_DIR / "node_modules" / "govuk-frontend" / "dist"),
    ("moj-frontend", PROJECT_DIR / "node_modules" / "@ministryofjustice" / "frontend"),
    PROJECT_DIR / "build" / "static",
]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Cookies, CSRF and transport security are on by default. SAFESHARE_HTTPS=0 turns the HTTPS
# redirect and HSTS off for plain http://127.0.0.1 (`make run`); production leaves it on.
SAFESHARE_HTTPS = env_flag("SAFESHARE_HTTPS", True)
SESSION_COOKIE_SECURE = env_flag("SAFESHARE_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# The CSRF cookie ends with the browser session, like the session cookie: a victim's pages
# leave nothing on a shared device that outlives the visit (Django's default is a year).
CSRF_COOKIE_AGE = None
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# The language a victim chose lasts for the visit only, like the session: nothing on a shared
# device tells a later user which language, and so whose, pages were read.
LANGUAGE_COOKIE_AGE = None
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_flag("SAFESHARE_SSL_REDIRECT", SAFESHARE_HTTPS)
# The container's health checks ask over plain HTTP on its own loopback.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env_int("SAFESHARE_HSTS_SECONDS", 31536000 if SAFESHARE_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preloading is a decision for the whole domain and slow to undo: off unless asked for.
SECURE_HSTS_PRELOAD = env_flag("SAFESHARE_HSTS_PRELOAD")
SAFESHARE_BEHIND_PROXY = env_flag("SAFESHARE_BEHIND_PROXY")
if SAFESHARE_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "safeshare.operations.logs.JsonFormatter"},
    },
    "filters": {
        "request_id": {"()": "safeshare.operations.logs.RequestIdFilter"},
        # Request lines name the route, not the path; expected refusals have no traceback.
        "requests": {"()": "safeshare.web.log_filters.RequestLogFilter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            # SAFESHARE_LOG_FORMAT=json: one JSON object a line (docs/operations.md).
            "formatter": os.environ.get("SAFESHARE_LOG_FORMAT", "plain"),
            "filters": ["request_id", "requests"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("SAFESHARE_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"level": "WARNING", "filters": ["requests"]},
        "django.request": {"filters": ["requests"]},
        "django.security": {"filters": ["requests"]},
    },
}
CSRF_FAILURE_VIEW = "safeshare.web.views.csrf_failure"
