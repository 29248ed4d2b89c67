"""The SafeShare API: django-ninja at /api/v1/, bearer tokens, one error body for every failure.

Every failure, whatever raised it, answers with::

    {"error": {"code": "...", "message": "...", "fields": {...}, "request_id": "..."}}

and every response carries an ``X-Request-Id`` header.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer
from pydantic import ValidationError as PydanticValidationError

from safeshare.accounts.actions import find_active_token
from safeshare.accounts.models import ApiToken, Organisation
from safeshare.accounts.roles import Role, Scope
from safeshare.idempotency.service import IdempotencyKeyReusedError
from safeshare.protocol.actions import ProtocolError
from safeshare.referrals.actions import ReferralRefusedError
from safeshare.web.middleware import request_id_for

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ApiClient:
    """Who is calling: the organisation, the role the token acts with, and its scopes."""

    token: ApiToken
    organisation: Organisation
    role: Role
    scopes: frozenset[Scope]


class BearerToken(HttpBearer):
    """``Authorization: Bearer ss_…`` tokens made with ``safeshare token create``."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        found = find_active_token(token)
        if found is None:
            return None
        client = ApiClient(
            token=found,
            organisation=found.organisation,
            role=found.role_enum,
            scopes=frozenset(Scope(s) for s in found.scopes),
        )
        request.api_client = client
        return client


class ApiProblem(Exception):
    """An error the API reports with a stable code, a message and optional per-field reasons."""

    def __init__(
        self, status: int, code: str, message: str, fields: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}


def require_scope(request: HttpRequest, scope: Scope, *roles: Role) -> ApiClient:
    """Refuse with 403 unless the caller's token has the scope (and one of the roles, if given)."""
    client: ApiClient = request.auth  # type: ignore[attr-defined]
    if scope not in client.scopes:
        raise ApiProblem(403, "forbidden", f"This token does not have the scope {scope.value}.")
    if roles and client.role not in roles:
        raise ApiProblem(403, "forbidden", "This token's role cannot do this.")
    return client


api = NinjaAPI(
    title="SafeShare API",
    version="1",
    description=(
        "Cases, referrals, protections, clearances, reviews and overrides under the Migrant "
        "Victims Protocol, and the transparency log. Authenticate with a bearer token made by "
        "`safeshare token create`. Every error has the body "
        '`{"error": {"code", "message", "fields", "request_id"}}`.'
    ),
    auth=BearerToken(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_response(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    fields: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """The one error body every API failure uses."""
    body = {
        "error": {
            "code": code,
            "message": message,
            "fields": fields or {},
            "request_id": request_id_for(request),
        }
    }
    response = api.create_response(request, body, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _location(loc: list | tuple) -> str:
    parts = [str(part) for part in loc if part not in ("body", "payload", "query", "path")]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for error in exc.errors:
        fields.setdefault(_location(error.get("loc", ())), str(error.get("msg", "Invalid value")))
    return error_response(request, 422, "validation_error", "Some fields are not valid.", fields)


@api.exception_handler(PydanticValidationError)
def _pydantic_error(request: HttpRequest, exc: PydanticValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for error in exc.errors():
        fields.setdefault(_location(error.get("loc", ())), str(error.get("msg", "Invalid value")))
    return error_response(request, 422, "validation_error", "Some fields are not valid.", fields)


@api.exception_handler(ApiProblem)
def _api_problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
    return error_response(request, exc.status, exc.code, exc.message, exc.fields)


@api.exception_handler(DjangoValidationError)
def _django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        fields = {
            name: (errors[0].messages[0] if hasattr(errors[0], "messages") else str(errors[0]))
            for name, errors in exc.error_dict.items()
        }
    else:
        fields = {}
    message = exc.messages[0] if exc.messages else "The request is not valid."
    return error_response(request, 422, "validation_error", message, fields)


def _messages(exc: DjangoValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


@api.exception_handler(ReferralRefusedError)
def _referral_refused(request: HttpRequest, exc: ReferralRefusedError) -> HttpResponse:
    return error_response(request, 403, "referral_refused", " ".join(_messages(exc)))


@api.exception_handler(ProtocolError)
def _protocol_error(request: HttpRequest, exc: ProtocolError) -> HttpResponse:
    fields = (
        {name: errors[0].messages[0] for name, errors in exc.error_dict.items()}
        if hasattr(exc, "error_dict")
        else {}
    )
    return error_response(request, 409, "not_allowed", " ".join(_messages(exc)), fields)


@api.exception_handler(IdempotencyKeyReusedError)
def _key_reused(request: HttpRequest, exc: IdempotencyKeyReusedError) -> HttpResponse:
    return error_response(
        request,
        422,
        "idempotency_key_reused",
        "This Idempotency-Key was used before with a different request. Use a new key.",
    )


@api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        request,
        401,
        "unauthenticated",
        "Give a valid API token in the Authorization header: Bearer <token>.",
        headers={"WWW-Authenticate": 'Bearer realm="safeshare"'},
    )


@api.exception_handler(PermissionDenied)
def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, "forbidden", str(exc) or "You cannot do this.")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", str(exc) or "Not found.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {
        400: "bad_request",
        401: "unauthenticated",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "payload_too_large",
        429: "too_many_requests",
    }
    message = str(exc)
    if exc.status_code == 400 and "parse" in message.lower():
        message = "The request body is not valid JSON."
    return error_response(request, exc.status_code, codes.get(exc.status_code, "error"), message)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(
        request, 413, "payload_too_large", "The request body is too large. Send at most 1 MB."
    )


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unexpected API error (request %s)", request_id_for(request))
    return error_response(
        request,
        500,
        "internal_error",
        "Something went wrong. Nothing was half-saved. Try again, quoting the request id.",
    )


from safeshare import api_routes  # noqa: E402,F401  (registers the routers of every app)
