"""The matching server: one process holds the register for every worker and keeps it current."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from safeshare.register import server as server_module
from safeshare.register.models import RegisterEntry
from safeshare.register.server import MatchingServer
from safeshare.register.service import match_subject
from tests.register.conftest import REGISTER
from tests.register.test_import import import_text

# The server answers from its own threads and database connections: data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

SUBJECT = {
    "given_names": "Maria",
    "family_name": "Ionescu",
    "date_of_birth": "1988-07-02",
    "nationality": "ROU",
}
NEWCOMER = "id,given_names,family_name,aliases,dob,sex,nationality,passport_no,ho_ref\n"
NEWCOMER += "W9,Mariam,Haile,,1993-05-06,F,ERI,,\n"


@pytest.fixture
def running(settings):
    # A Unix socket's path must be short (108 bytes): pytest's own temporary folders, nested in
    # the test pass's, can be longer, so the socket gets a short folder of its own.
    folder = Path(tempfile.mkdtemp(prefix="ss-", dir="/tmp"))
    path = folder / "matching.sock"
    settings.SAFESHARE_MATCHING_SOCKET = str(path)
    settings.SAFESHARE_MATCHING_INDEX = "server"
    server = MatchingServer(path).start()
    yield server
    server.close()
    server_module._drop()
    shutil.rmtree(folder, ignore_errors=True)


def _decided(fields):
    outcome, result = match_subject("s", fields)
    return result.decision, [c.identity_id for c in outcome.candidates]


def test_the_server_matches_as_the_database_does_and_sees_every_change(
    force, importer, running, settings
):
    assert (running.path.stat().st_mode & 0o777) == 0o600
    import_text(REGISTER, force, importer)
    served = _decided(SUBJECT)
    assert running.requests == 1
    settings.SAFESHARE_MATCHING_INDEX = "database"
    assert _decided(SUBJECT) == served
    assert served[0] == "match"

    # A change committed by another process is seen by the next match.
    settings.SAFESHARE_MATCHING_INDEX = "server"
    newcomer = {"given_names": "Mariam", "family_name": "Haile", "date_of_birth": "1993-05-06"}
    assert _decided(newcomer)[1] == []
    import_text(NEWCOMER, force, importer)
    entry = RegisterEntry.objects.get(external_id="W9")
    assert _decided(newcomer)[1] == [str(entry.pk)]
    assert running.requests == 3


def test_a_client_matches_through_the_database_when_the_server_is_down(force, importer, running):
    import_text(REGISTER, force, importer)
    served = _decided(SUBJECT)
    running.close()
    server_module._drop()
    assert _decided(SUBJECT) == served


def test_a_client_without_the_key_is_refused(force, importer, running, settings):
    settings.SECRET_KEY = "another key"
    with pytest.raises(server_module.ServerUnavailable):
        server_module.ask(("status",), running.path)
