"""Alerts for oversight, raised through the oversight actions."""

from __future__ import annotations

import factory

from safeshare.kernel.transactions import action_transaction
from safeshare.oversight.actions import do_raise_alert
from safeshare.oversight.models import Alert


class AlertFactory(factory.Factory):
    """An alert as an action raises it (here in its own transaction)."""

    class Meta:
        model = Alert

    kind = Alert.Kind.OVERRIDE_REQUESTED
    summary = factory.Sequence(lambda n: f"Override requested ({n})")
    details = factory.LazyFunction(dict)
    organisation_code = "IE-NCCU"

    @classmethod
    def _create(cls, model_class, *args, **kwargs) -> Alert:
        with action_transaction():
            return do_raise_alert(**kwargs)
