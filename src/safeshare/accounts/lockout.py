"""Lockouts that cannot be turned against the people they protect.

* **API tokens** are counted per token: a wrong secret given with a known token's prefix counts
  against that token; a token that no one holds counts against the caller's address. Either way a
  *valid* token is never refused, so no one can lock out somebody else's integration, and no
  address is locked out wholesale (docs/adr/0012-lockouts-and-the-web-server.md).
* **Staff sign-in** is counted per account (a keyed hash of the email address, whether or not an
  account has it) and per address, with exponential back-off: the first lock lasts a minute, each
  further lock twice as long as the last, up to ``SAFESHARE_LOCKOUT_MINUTES``. The answer is the
  same whether or not the email address has an account; the account holder gets a notice.
* **The client's address** is ``REMOTE_ADDR``, or, only when that is one of
  ``SAFESHARE_TRUSTED_PROXIES``, the last address in ``X-Forwarded-For`` that is not a proxy.

Every key is a keyed hash: no email address or network address is stored.
"""

from __future__ import annotations

import ipaddress
import logging
import math
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.core.mail import send_mail
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from safeshare.accounts.models import AuthThrottle, SecurityNotice, User
from safeshare.kernel.transactions import action_transaction

logger = logging.getLogger(__name__)

ACCOUNT, ADDRESS, TOKEN, TOKEN_ADDRESS = "account", "address", "token", "token-address"
FIRST_LOCK_SECONDS = 60


# --- The client's address -----------------------------------------------------------------------


@lru_cache(maxsize=8)
def _networks(
    proxies: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _is_trusted(address: str) -> bool:
    networks = _networks(tuple(settings.SAFESHARE_TRUSTED_PROXIES))
    if not networks:
        return False
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The caller's address. ``X-Forwarded-For`` counts only when the immediate peer is a
    configured proxy; then the last hop that is not itself a proxy is the client (the earlier
    hops are the client's to invent)."""
    peer = str(request.META.get("REMOTE_ADDR", ""))
    if not _is_trusted(peer):
        return peer
    hops = [
        h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()
    ]
    for hop in reversed(hops):
        if not _is_trusted(hop):
            return hop
    return hops[0] if hops else peer


# --- Counting and back-off ----------------------------------------------------------------------


def _key(kind: str, value: str) -> str:
    return salted_hmac(f"safeshare.accounts.lockout.{kind}", value, algorithm="sha256").hexdigest()


def account_key(email: str) -> str:
    return _key(ACCOUNT, (email or "").strip().lower())


def _thresholds(kind: str) -> int:
    if kind == ACCOUNT:
        return settings.SAFESHARE_LOCKOUT_THRESHOLD
    if kind == ADDRESS:
        return settings.SAFESHARE_ADDRESS_LOCKOUT_THRESHOLD
    return settings.SAFESHARE_API_LOCKOUT_THRESHOLD


def _longest_lock(kind: str) -> timedelta:
    minutes = (
        settings.SAFESHARE_API_LOCKOUT_MINUTES
        if kind in (TOKEN, TOKEN_ADDRESS)
        else settings.SAFESHARE_LOCKOUT_MINUTES
    )
    return timedelta(minutes=minutes)


def lock_length(kind: str, lockouts: int) -> timedelta:
    """The ``lockouts``-th lock in a row: a minute, then twice as long each time, up to the cap."""
    longest = _longest_lock(kind)
    seconds = FIRST_LOCK_SECONDS * 2 ** min(max(lockouts - 1, 0), 30)
    return min(timedelta(seconds=seconds), longest)


def seconds_locked(kind: str, key: str, now=None) -> int | None:
    """Seconds until ``key`` may try again, or None when it is not locked."""
    now = now or timezone.now()
    until = (
        AuthThrottle.objects.filter(kind=kind, key=key, locked_until__gt=now)
        .values_list("locked_until", flat=True)
        .first()
    )
    if until is None:
        return None
    return max(1, math.ceil((until - now).total_seconds()))


def do_record_failure(kind: str, key: str) -> AuthThrottle:
    """Count a failure against ``key``; at the threshold lock it, for longer each time."""
    now = timezone.now()
    window = _longest_lock(kind)
    with action_transaction():
        row, _created = AuthThrottle.objects.select_for_update().get_or_create(
            kind=kind, key=key, defaults={"window_started_at": now}
        )
        if row.locked_until is not None and row.locked_until > now:
            return row  # already locked: attempts while locked are refused, not counted
        quiet_since = row.locked_until or row.window_started_at
        if now - row.window_started_at > window:
            row.failures, row.window_started_at = 0, now
        if row.lockouts and now - quiet_since > 2 * window:
            row.lockouts = 0  # a long quiet spell forgives earlier locks
        row.failures += 1
        if row.failures >= _thresholds(kind):
            row.lockouts += 1
            row.locked_until = now + lock_length(kind, row.lockouts)
            row.failures, row.window_started_at = 0, now
        row.save()
    return row


def do_clear(kind: str, key: str) -> None:
    """Forget the failures against ``key`` (after a successful sign-in, or an administrator's
    unlock)."""
    with action_transaction():
        AuthThrottle.objects.filter(kind=kind, key=key).delete()


# --- Staff sign-in ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInLock:
    """Why a sign-in attempt is refused before the password is checked."""

    seconds: int

    @property
    def message(self) -> str:
        minutes = max(1, math.ceil(self.seconds / 60))
        unit = "minute" if minutes == 1 else "minutes"
        return (
            "There have been too many attempts to sign in. "
            f"Wait {minutes} {unit}, then try again, or ask your administrator for help."
        )


def sign_in_lock(request: HttpRequest | None, email: str) -> SignInLock | None:
    """The lock on this email address or this caller's address, if any. The same for an email
    address that has no account as for one that has."""
    waits = [seconds_locked(ACCOUNT, account_key(email))]
    if request is not None:
        waits.append(seconds_locked(ADDRESS, _key(ADDRESS, client_address(request))))
    longest = max((wait for wait in waits if wait is not None), default=None)
    return SignInLock(longest) if longest is not None else None


def do_record_failed_sign_in(request: HttpRequest | None, email: str) -> SignInLock | None:
    """Count a failed sign-in against the account and the address; return the lock it caused.
    The account holder (if there is one) is told when their account is locked."""
    account = do_record_failure(ACCOUNT, account_key(email))
    if request is not None:
        do_record_failure(ADDRESS, _key(ADDRESS, client_address(request)))
    if account.failures == 0 and account.locked_until is not None:
        user = User.objects.filter(email__iexact=(email or "").strip()).first()
        if user is not None:
            do_notify_account_holder(
                user,
                "Someone tried to sign in to your SafeShare account several times with the "
                f"wrong password or security code, at {timezone.localtime():%H:%M on %d %B %Y}. "
                "Sign-in was paused for a short time. If this was not you, tell your "
                "administrator.",
            )
    return sign_in_lock(request, email)


def do_record_successful_sign_in(request: HttpRequest | None, email: str) -> None:
    do_clear(ACCOUNT, account_key(email))


def do_notify_account_holder(user: User, message: str) -> SecurityNotice:
    """Record a notice the holder sees at their next sign-in; email it when email is set up."""
    with action_transaction():
        notice = SecurityNotice.objects.create(user=user, message=message)
    if settings.SAFESHARE_EMAIL_NOTICES and user.email:
        try:
            send_mail("SafeShare: your account", message, None, [user.email])
        except Exception:  # the notice is recorded either way; email is best effort
            logger.warning("Could not email a security notice (user %s)", user.pk)
    return notice


def do_take_unseen_notices(user: User) -> list[str]:
    """The holder's notices not shown yet, marked as seen."""
    with action_transaction():
        notices = list(
            SecurityNotice.objects.select_for_update().filter(user=user, seen_at__isnull=True)
        )
        SecurityNotice.objects.filter(pk__in=[n.pk for n in notices]).update(
            seen_at=timezone.now()
        )
    return [notice.message for notice in notices]


# --- API tokens ---------------------------------------------------------------------------------


def api_failure_key(request: HttpRequest, secret: str) -> tuple[str, str]:
    """What a wrong bearer token counts against: the token whose prefix it gives, or (for a token
    no one holds) the caller's address."""
    from safeshare.accounts.models import ApiToken

    parts = secret.split("_")
    if len(parts) >= 3 and parts[1] and ApiToken.objects.filter(prefix=parts[1][:16]).exists():
        return TOKEN, _key(TOKEN, parts[1][:16])
    return TOKEN_ADDRESS, _key(TOKEN_ADDRESS, client_address(request))


def do_record_api_failure(request: HttpRequest, secret: str) -> int | None:
    """Count a wrong token; return the seconds its key stays locked, if it is locked."""
    kind, key = api_failure_key(request, secret)
    row = do_record_failure(kind, key)
    if row.locked_until is not None and row.locked_until > timezone.now():
        return max(1, math.ceil((row.locked_until - timezone.now()).total_seconds()))
    return None
