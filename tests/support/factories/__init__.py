"""factory_boy factories for each app's main models, one module per app.

Every factory makes its records through the owning app's actions (``do_…``), as the service
makes them, so a test never holds a record the service could not have written. Import from the
app's module (``tests.support.factories.cases``) or from here.
"""

from tests.support.factories.accounts import (
    DEFAULT_PASSWORD,
    OrganisationFactory,
    make_user,
    organisation,
    organisation_for,
)
from tests.support.factories.advice import (
    AdvicePackFactory,
    ProtectionLetterFactory,
    sample_facts,
)
from tests.support.factories.cases import CaseFactory, PartyFactory
from tests.support.factories.oversight import AlertFactory
from tests.support.factories.people import PersonFactory
from tests.support.factories.referrals import (
    BASIS,
    ProtectionFactory,
    ReferralFactory,
    ie_unit,
)
from tests.support.factories.worker import JobLeaseFactory

__all__ = [
    "BASIS",
    "DEFAULT_PASSWORD",
    "AdvicePackFactory",
    "AlertFactory",
    "CaseFactory",
    "JobLeaseFactory",
    "OrganisationFactory",
    "PartyFactory",
    "PersonFactory",
    "ProtectionFactory",
    "ProtectionLetterFactory",
    "ReferralFactory",
    "ie_unit",
    "make_user",
    "organisation",
    "organisation_for",
    "sample_facts",
]
