"""The suite really runs on the backend it was asked for."""

import pytest
from django.db import connection

EXPECTED_VENDOR = {"sqlite": "sqlite", "postgres": "postgresql"}


@pytest.mark.django_db
def test_connected_to_the_requested_backend(request):
    assert connection.vendor == EXPECTED_VENDOR[request.config.getoption("--db")]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW port")
            assert int(cursor.fetchone()[0]) != 5432  # the session's own throwaway server
        else:
            cursor.execute("SELECT sqlite_version()")
            assert cursor.fetchone()[0]
