"""Schemas shared by several API routers: identity fields and small common shapes."""

from __future__ import annotations

from ninja import Schema
from pydantic import ConfigDict, Field

from safeshare.people.identity import IdentityIn


class IdentityFields(IdentityIn):
    """The canonical identity fields, accepted at the top level of a request body."""


class StrictSchema(Schema):
    """Unknown fields are refused, so a mistyped field name is an error, not silently lost."""

    model_config = ConfigDict(extra="forbid")


class ProtectionSummary(Schema):
    reference: str
    status: str = Field(description="active, transition or ended")
