"""What every API router uses: the django-ninja instance with its bearer tokens, strict JSON
parser and one error body for every failure, and the helpers routers call (``require_scope``,
``ApiProblem``). ``safeshare.api`` mounts the routers on it; this module knows no router.

Every failure, whatever raised it, answers with::

    {"error": {"code": "...", "message": "...", "fields": {...}, "request_id": "..."}}

and every response carries an ``X-Request-Id`` header.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.utils import DataError, InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer
from pydantic import ValidationError as PydanticValidationError

from safeshare.accounts import lockout
from safeshare.accounts.actions import find_active_token
from safeshare.accounts.models import ApiToken, Organisation
from safeshare.accounts.permissions import api_permission
from safeshare.kernel.errors import RuleRefusal, SafeShareError
from safeshare.kernel.roles import Role, Scope
from safeshare.operations.responses import api_error_response, unavailable_response
from safeshare.web.middleware import request_id_for
from safeshare.web.strict_input import DuplicateKeyError, refuse_duplicate_keys

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ApiClient:
    """Who is calling: the organisation, the role the token acts with, and its scopes."""

    token: ApiToken
    organisation: Organisation
    role: Role
    scopes: frozenset[Scope]


class BearerToken(HttpBearer):
    """``Authorization: Bearer ss_…`` tokens made with ``safeshare token create``.

    Before any endpoint runs: a wrong token is counted against the token it names, or the
    caller's address when it names none, and answered 429 once that is locked; a valid token is
    never locked out (``safeshare.accounts.lockout``). Then the operation is looked up in
    ``API_PERMISSIONS``: an undeclared operation, a role that is not listed or a missing scope
    is refused (403).
    """

    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        found = find_active_token(token)
        if found is None:
            wait = lockout.do_record_api_failure(request, token)
            if wait is not None:
                raise ApiProblem(
                    429,
                    "too_many_requests",
                    "Too many wrong API tokens. Try again later.",
                    headers={"Retry-After": str(wait)},
                )
            return None
        client = ApiClient(
            token=found,
            organisation=found.organisation,
            role=found.role_enum,
            scopes=frozenset(Scope(s) for s in found.scopes),
        )
        # Read back by the idempotency check; HttpRequest declares no such attribute.
        request.api_client = client  # type: ignore[attr-defined]
        enforce_declared_permission(request, client)
        return client


_PATH_PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^:<>]+)>")


def operation_key(request: HttpRequest) -> str:
    """``"METHOD /path/{template}"`` of the API operation a request reached (``/api/v1`` off)."""
    match = request.resolver_match
    route = match.route if match is not None else request.path.lstrip("/")
    relative = _PATH_PARAMETER.sub(r"{\1}", route.split("api/v1/", 1)[-1])
    return f"{request.method} /{relative}"


def enforce_declared_permission(request: HttpRequest, client: ApiClient) -> None:
    """Deny by default: the operation must be declared, for this role, with a scope it has."""
    key = operation_key(request)
    permission = api_permission(key)
    if permission is None:
        logger.warning("Refused undeclared API operation %s", key)
        raise ApiProblem(403, "forbidden", "This API operation is not open to any role.")
    if client.role not in permission.roles:
        raise ApiProblem(403, "forbidden", "This token's role cannot do this.")
    if permission.scope is not None and permission.scope not in client.scopes:
        raise ApiProblem(
            403, "forbidden", f"This token does not have the scope {permission.scope.value}."
        )


class ApiProblem(SafeShareError):
    """An error the API reports with a stable code, a message and optional per-field reasons."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message, code=code, http_status=status, fields=fields, headers=headers)

    @property
    def status(self) -> int:
        return self.http_status


def require_scope(request: HttpRequest, scope: Scope, *roles: Role) -> ApiClient:
    """Refuse with 403 unless the caller's token has the scope (and one of the roles, if given)."""
    client: ApiClient = request.auth  # type: ignore[attr-defined]
    if scope not in client.scopes:
        raise ApiProblem(403, "forbidden", f"This token does not have the scope {scope.value}.")
    if roles and client.role not in roles:
        raise ApiProblem(403, "forbidden", "This token's role cannot do this.")
    return client


MAX_JSON_DEPTH = 32
"""Deepest nesting of arrays and objects a request body may have; SafeShare's bodies need 3."""


class BodyProblem(ValueError):
    """A request body that cannot be read, with the reason to give the client."""


def _check_parsed(value: object) -> None:
    """Refuse nesting deeper than ``MAX_JSON_DEPTH``, and text no database can store: lone
    surrogates (``"\\ud800"``) and NUL characters. Iterative, so depth cannot exhaust the stack."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise BodyProblem("The request body contains a NUL character (\\u0000).")
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as error:
                raise BodyProblem(
                    "The request body contains text that is not valid Unicode."
                ) from error
        elif isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise BodyProblem(
                    f"The request body is nested too deeply: at most {MAX_JSON_DEPTH} levels."
                )
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)


def _no_constants(name: str) -> object:
    raise BodyProblem(f"The request body is not valid JSON: {name} is not a JSON number.")


class StrictJsonParser(Parser):
    """JSON bodies as RFC 8259 says: UTF-8, no NaN or Infinity, and not absurdly deep."""

    def parse_body(self, request: HttpRequest) -> dict:
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise BodyProblem("The request body is not valid UTF-8.") from error
        try:
            value = json.loads(
                text, parse_constant=_no_constants, object_pairs_hook=refuse_duplicate_keys
            )
        except RecursionError as error:
            raise BodyProblem(
                f"The request body is nested too deeply: at most {MAX_JSON_DEPTH} levels."
            ) from error
        except BodyProblem:
            raise
        except DuplicateKeyError as error:
            raise BodyProblem(str(error)) from error
        except ValueError as error:
            raise BodyProblem("The request body is not valid JSON.") from error
        _check_parsed(value)
        return value


ERROR_SCHEMA = {
    "title": "ErrorBody",
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields", "request_id"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                "request_id": {"type": "string"},
            },
        }
    },
}
ERROR_REF = "#/components/schemas/ErrorBody"
IDEMPOTENCY_KEY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Send the same key again to retry safely: the first answer is replayed and the request "
        "is never acted on twice. Up to 200 printable characters."
    ),
    "schema": {"type": "string", "maxLength": 200},
}


class SafeShareApi(NinjaAPI):
    """django-ninja with the error body and ``Idempotency-Key`` written into the OpenAPI
    document, so that clients (and schemathesis) can check every response against it."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {})
        components.setdefault("schemas", {})["ErrorBody"] = ERROR_SCHEMA
        error = {
            "description": "An error, in the standard error body.",
            "content": {"application/json": {"schema": {"$ref": ERROR_REF}}},
        }
        for operations in schema.get("paths", {}).values():
            for method, operation in operations.items():
                operation.setdefault("responses", {}).setdefault("default", error)
                if method.lower() == "post":
                    parameters = operation.setdefault("parameters", [])
                    if not any(p.get("name") == "Idempotency-Key" for p in parameters):
                        parameters.append(dict(IDEMPOTENCY_KEY_PARAMETER))
        return schema


api = SafeShareApi(
    title="SafeShare API",
    version="1",
    description=(
        "Cases, referrals, protections, clearances, reviews and overrides under the Migrant "
        "Victims Protocol, and the transparency log. Authenticate with a bearer token made by "
        "`safeshare token create`. Every error has the body "
        '`{"error": {"code", "message", "fields", "request_id"}}`.'
    ),
    auth=BearerToken(),
    parser=StrictJsonParser(),
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
    return api_error_response(request, status, code, message, fields, headers)


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


@api.exception_handler(SafeShareError)
def _refused(request: HttpRequest, exc: SafeShareError) -> HttpResponse:
    return error_response(request, exc.http_status, exc.code, exc.message, exc.fields, exc.headers)


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


@api.exception_handler(RuleRefusal)
def _rule_refusal(request: HttpRequest, exc: RuleRefusal) -> HttpResponse:
    """A refusal by the protocol's rules: the status and code the refusal's class declares."""
    # The request's transaction has rolled back: what the refusal records is recorded now.
    exc.after_rollback()
    fields = (
        {name: errors[0].messages[0] for name, errors in exc.error_dict.items()}
        if hasattr(exc, "error_dict")
        else {}
    )
    return error_response(
        request, exc.http_status, exc.error_code, " ".join(_messages(exc)), fields
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
    if isinstance(exc.__cause__, BodyProblem):
        message = str(exc.__cause__)
    elif exc.status_code == 400 and "parse" in message.lower():
        message = "The request body is not valid JSON."
    return error_response(request, exc.status_code, codes.get(exc.status_code, "error"), message)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(
        request, 413, "payload_too_large", "The request body is too large. Send at most 1 MB."
    )


@api.exception_handler(DataError)
def _value_out_of_range(request: HttpRequest, exc: DataError) -> HttpResponse:
    """The database refused a value it cannot store or compare (a number or time-zone offset
    out of range, say). The client's input, not an outage: 422, and logged so it gets fixed."""
    logger.warning("Database refused a value (request %s)", request_id_for(request))
    return error_response(
        request,
        422,
        "validation_error",
        "A value in the request is outside what the service can store or compare.",
    )


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def _database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The database cannot be reached: 503 and ``Retry-After``, never a 500 (docs/adr/0004)."""
    return unavailable_response(request)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unexpected API error (request %s)", request_id_for(request))
    return error_response(
        request,
        500,
        "internal_error",
        "Something went wrong. Nothing was half-saved. Try again, quoting the request id.",
    )
