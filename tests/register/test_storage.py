"""The register in the database decides exactly as the in-memory register does."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from tools.matching.synth import generate

from safeshare.matching import IdentityRecord, InMemoryRegister, Matcher, PreparedIdentity, prepare
from safeshare.matching.blocking import KEY_SET_VERSION, query_keys
from safeshare.matching.names import skeleton
from safeshare.register.actions import do_import_register, do_rebuild_register
from safeshare.register.csvfiles import IdentityCsv
from safeshare.register.models import RegisterEntry, RegisterKey
from safeshare.register.resident import ResidentRegister
from safeshare.register.service import index_identity, match_subject, remove_entries
from safeshare.register.storage import (
    CACHE,
    KEY_SET_KEY,
    SIZE_KEY,
    DatabaseRegister,
    PrefetchedRegister,
    PreparedCache,
    pack_ids,
    unpack_ids,
)
from tests.register.conftest import HEADER

pytestmark = pytest.mark.django_db


def synth_csv(records) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*HEADER.split(","), "address", "postcode"])
    for identity_id, r in records:
        writer.writerow(
            [
                f"S{identity_id}",
                r.given_names,
                r.family_name,
                ";".join(r.aliases),
                r.date_of_birth or "",
                r.sex or "",
                r.nationality or "",
                r.passport_number or "",
                r.home_office_reference or "",
                r.address or "",
                r.postcode or "",
            ]
        )
    return out.getvalue()


@pytest.fixture
def synth_register(force, importer):
    data = generate(20_260_001, 600, 120, 120)
    reader = IdentityCsv(io.BytesIO(synth_csv(data.register).encode()))
    result = do_import_register(
        reader, force, importer, content_digest=lambda: reader.content_digest, skip_invalid=True
    )
    assert result.imported >= 590, result.rejected[:5]
    memory = InMemoryRegister(
        (entry_id, PreparedIdentity.from_json(text))
        for entry_id, text in RegisterEntry.objects.values_list("id", "prepared")
    )
    return data, memory


def summary(result):
    """The result, with candidates of equal weight in either order (the matcher keeps the
    order it was given for ties, and the registers give candidates in different orders)."""
    weights = [round(c.weight, 9) for c in result.candidates]
    unique = [c.register_id for c in result.candidates if weights.count(round(c.weight, 9)) == 1]
    return (
        result.decision,
        None if result.best_weight is None else round(result.best_weight, 9),
        sorted((w, c.decision) for w, c in zip(weights, result.candidates, strict=True)),
        sorted(unique),
        result.candidates_considered,
        result.reasons,
    )


def test_the_database_register_decides_as_the_in_memory_register(synth_register):
    data, memory = synth_register
    matcher = Matcher(explain_top=10_000)  # every scored candidate, so ties are all seen
    for subject in data.subjects:
        prepared = prepare(subject.record)
        CACHE.clear()
        in_database = matcher.match(prepared, DatabaseRegister())
        assert summary(in_database) == summary(matcher.match(prepared, memory))


def test_a_batch_decides_as_one_subject_at_a_time(synth_register):
    data, memory = synth_register
    matcher = Matcher(explain_top=10_000)
    prepared = [prepare(s.record) for s in data.subjects]
    batch = PrefetchedRegister(prepared, matcher.thresholds, cache=PreparedCache(0))
    for subject, result in zip(prepared, matcher.match_many(prepared, batch), strict=True):
        assert summary(result) == summary(matcher.match(subject, memory))


def test_key_counts_are_exact_and_the_size_is_kept(synth_register):
    data, memory = synth_register
    register = DatabaseRegister()
    keys = set()
    for subject in data.subjects[:40]:
        keys |= query_keys(prepare(subject.record))
    assert dict(register.key_counts(keys)) == memory.key_counts(keys)
    assert len(register) == len(memory) == RegisterEntry.objects.count()


def test_the_posting_lists_hold_every_entry_under_every_key(synth_register):
    postings: dict[str, set[int]] = {}
    for entry_id, text in RegisterEntry.objects.values_list("id", "prepared"):
        for key in PreparedIdentity.from_json(text).keys:
            postings.setdefault(key, set()).add(entry_id)
    stored = {
        key: (n, set(unpack_ids(ids)))
        for key, n, ids in RegisterKey.objects.exclude(
            key__in=[SIZE_KEY, KEY_SET_KEY]
        ).values_list("key", "n", "ids")
    }
    assert stored == {key: (len(ids), ids) for key, ids in postings.items()}


def test_ids_pack_and_unpack():
    ids = [1, 2**40, 7, 2**63 - 1]
    assert list(unpack_ids(pack_ids(ids))) == ids
    assert list(unpack_ids(b"")) == []


def test_the_cache_keeps_the_most_recent_entries():
    cache = PreparedCache(2)
    one, two, three = (prepare_name(n) for n in ("Ann Lee", "Bo Chan", "Cy Diaz"))
    cache.put_many([(1, ("v1", one)), (2, ("v2", two))])
    cache.get_many([1])
    cache.put_many([(3, ("v3", three))])
    assert set(cache.get_many([1, 2, 3])) == {1, 3}


def test_a_reused_entry_id_is_never_answered_from_the_cache(force, importer):
    """SQLite's sequence rolls back with a failed insert, and a restore rewinds PostgreSQL's:
    an id can come back holding someone else. The cache must not answer for it."""
    from django.utils import timezone

    from safeshare.register.storage import add_postings
    from tests.register.conftest import REGISTER
    from tests.register.test_import import import_text

    import_text(REGISTER, force, importer)
    maria = {"given_names": "Maria", "family_name": "Ionescu", "date_of_birth": "1988-07-02"}
    _, result = match_subject("s", maria)
    entry = RegisterEntry.objects.get(external_id="W3")
    assert result.best.register_id == entry.pk
    assert len(CACHE)  # Maria's entry is cached

    remove_entries([entry])
    ann = prepare_name("Annika Lindqvist")
    RegisterEntry.objects.create(
        id=entry.pk, prepared=ann.to_json(), source="test", created_at=timezone.now()
    )
    add_postings(dict.fromkeys(ann.keys, (entry.pk,)), 1)
    _, result = match_subject("s", maria)
    assert entry.pk not in {c.register_id for c in result.candidates}
    _, result = match_subject("s", {"given_names": "Annika", "family_name": "Lindqvist"})
    best = result.best
    assert best.register_id == entry.pk
    assert "~ annika lindqvist]" in best.explain()  # scored against the new row, not Maria
    assert result.decision != "none"


def prepare_name(name: str) -> PreparedIdentity:
    from safeshare.matching import IdentityRecord

    given, family = name.split()
    return prepare(IdentityRecord(given, family))


def test_a_changed_identity_gets_a_new_entry_and_its_keys_move(force, importer, caseworker):
    from tests.register.conftest import REGISTER
    from tests.register.test_import import import_text

    import_text(REGISTER, force, importer)
    entry = RegisterEntry.objects.select_related("identity", "protection").get(external_id="W2")
    old_keys = PreparedIdentity.from_json(entry.prepared).keys
    size = RegisterKey.objects.get(key=SIZE_KEY).n

    # Unchanged: the same entry.
    assert index_identity(entry.identity, entry.protection).pk == entry.pk

    identity = entry.identity
    identity.family_name = "Rahman"
    identity.save()
    new = index_identity(identity, entry.protection)
    assert new.pk != entry.pk
    assert not RegisterEntry.objects.filter(pk=entry.pk).exists()
    assert RegisterKey.objects.get(key=SIZE_KEY).n == size
    for key in old_keys:
        row = RegisterKey.objects.filter(key=key).first()
        assert row is None or entry.pk not in unpack_ids(row.ids)
    for key in PreparedIdentity.from_json(new.prepared).keys:
        row = RegisterKey.objects.get(key=key)
        assert new.pk in unpack_ids(row.ids)
        assert row.n == len(unpack_ids(row.ids))
    outcome, _ = match_subject(
        "s",
        {
            "given_names": "Ali",
            "family_name": "Rahman",
            "date_of_birth": "1980",
            "nationality": "PAK",
            "passport_number": "AB1234567",
        },
    )
    assert str(new.pk) in {c.identity_id for c in outcome.candidates}

    remove_entries([new])
    assert RegisterKey.objects.get(key=SIZE_KEY).n == size - 1
    assert not RegisterKey.objects.filter(key="p:AB1234567").exists()


def test_match_subject_names_the_protection_of_an_imported_entry(force, importer):
    from tests.register.conftest import REGISTER
    from tests.register.test_import import import_text

    import_text(REGISTER, force, importer)
    entry = RegisterEntry.objects.get(external_id="W3")
    outcome, result = match_subject(
        "s",
        {
            "given_names": "Maria",
            "family_name": "Ionescu",
            "date_of_birth": "1988-07-02",
            "nationality": "ROU",
            "home_office_reference": "K1234567",
        },
    )
    assert result.decision == "match"
    best = outcome.candidates[0]
    assert best.identity_id == str(entry.pk)
    assert best.protection_ids == (str(entry.protection_id),)


# --- Rebuild ---------------------------------------------------------------------------------


def _key_table() -> dict[str, tuple[int, list[int]]]:
    return {
        row.key: (row.n, sorted(unpack_ids(row.ids)))
        for row in RegisterKey.objects.exclude(key=KEY_SET_KEY)
    }


def test_a_rebuild_loses_nothing_and_changes_nothing_when_nothing_changed(force, importer):
    from tests.register.conftest import REGISTER
    from tests.register.test_import import import_text

    import_text(REGISTER, force, importer)
    before_keys = _key_table()
    before = {
        e.pk: (e.prepared, e.created_at, e.address, e.postcode)
        for e in RegisterEntry.objects.all()
    }
    out = io.StringIO()
    call_command("register", "rebuild", "--quiet", stdout=out)
    assert "4 entries (0 changed)" in out.getvalue()
    assert _key_table() == before_keys
    after = {
        e.pk: (e.prepared, e.created_at, e.address, e.postcode)
        for e in RegisterEntry.objects.all()
    }
    assert after == before
    assert any(address for _, _, address, _ in after.values())


def test_a_rebuild_prepares_entries_again_and_moves_their_keys(force, importer):
    from tests.register.conftest import REGISTER
    from tests.register.test_import import import_text

    import_text(REGISTER, force, importer)
    entry = RegisterEntry.objects.get(external_id="W1")
    assert entry.address
    assert entry.postcode
    # As if normalisation had changed: the stored entry is stale (it lost its address).
    stale = prepare(IdentityRecord("Fatema", "Begum", date_of_birth="1991-03-14")).to_json()
    RegisterEntry.objects.filter(pk=entry.pk).update(prepared=stale)
    result = do_rebuild_register()
    assert (result.entries, result.changed) == (4, 1)
    entry.refresh_from_db()
    fresh = PreparedIdentity.from_json(entry.prepared)
    assert fresh.address
    assert fresh.postcode
    keys = _key_table()
    assert keys[SIZE_KEY][0] == 4
    for key in fresh.keys:
        assert entry.pk in keys[key][1]
    # Every key row lists exactly the entries that carry it.
    expected: dict[str, list[int]] = {}
    for e in RegisterEntry.objects.all():
        for key in PreparedIdentity.from_json(e.prepared).keys:
            expected.setdefault(key, []).append(e.pk)
    assert {k: v[1] for k, v in keys.items() if k != SIZE_KEY} == {
        k: sorted(v) for k, v in expected.items()
    }


def test_a_register_made_with_an_older_key_set_is_rebuilt_by_the_worker(force, importer):
    """A new key kind reaches a register built before it without anyone running
    ``register rebuild``: the worker's job sees the key set's version and rebuilds (ADR 39)."""
    from safeshare.register.jobs import keep_keys_current
    from safeshare.register.storage import key_set_version
    from tests.register.conftest import REGISTER
    from tests.register.test_import import import_text

    import_text(REGISTER, force, importer)
    assert key_set_version() == KEY_SET_VERSION  # imported into an empty register
    assert keep_keys_current() == 0
    current = _key_table()
    assert any(key.startswith("e:") for key in current)
    # As if the register had been built before the day-and-month keys (key set 1).
    RegisterKey.objects.filter(key__startswith="e:").delete()
    RegisterKey.objects.filter(key=KEY_SET_KEY).update(n=1)
    assert key_set_version() == 1
    out = io.StringIO()
    call_command("register", "stats", stdout=out)
    assert "made with key set 1" in out.getvalue()
    assert "safeshare register rebuild" in out.getvalue()
    assert keep_keys_current() == 4
    assert key_set_version() == KEY_SET_VERSION
    assert _key_table() == current  # the keys the register would have had from the start
    assert keep_keys_current() == 0  # current: nothing done


def test_an_empty_register_only_records_its_key_set():
    from safeshare.register.jobs import keep_keys_current
    from safeshare.register.storage import key_set_version

    assert key_set_version() == 1
    assert keep_keys_current() == 0
    assert key_set_version() == KEY_SET_VERSION
    assert not RegisterEntry.objects.exists()


# --- The register held in memory -------------------------------------------------------------


def test_the_resident_register_decides_as_the_database_register(synth_register):
    data, _ = synth_register
    matcher = Matcher(explain_top=10_000)
    resident = ResidentRegister()
    assert resident.sync() is True
    assert resident.sync() is False  # nothing changed: nothing read again
    assert len(resident) == RegisterEntry.objects.count()
    for subject in data.subjects:
        prepared = prepare(subject.record)
        CACHE.clear()
        in_database = matcher.match(prepared, DatabaseRegister())
        assert summary(matcher.match(prepared, resident)) == summary(in_database)


def test_the_resident_register_follows_every_change(force, importer):
    """Two processes' registers: a change made through the register's writers is seen by
    both at their next sync, whatever made it (import, identity change, removal, rebuild)."""
    from tests.register.conftest import REGISTER
    from tests.register.test_import import import_text

    first, second = ResidentRegister(), ResidentRegister()
    first.sync()
    assert len(first) == 0
    import_text(REGISTER, force, importer)
    second.sync()
    assert first.sync() is True
    ids = set(RegisterEntry.objects.values_list("id", flat=True))
    for resident in (first, second):
        assert {i for i, _ in resident._register} == ids

    entry = RegisterEntry.objects.get(external_id="W2")
    identity = entry.identity
    identity.family_name = "Rahman"
    identity.save()
    new = index_identity(identity, entry.protection)
    keys = PreparedIdentity.from_json(new.prepared).keys
    for resident in (first, second):
        assert resident.sync() is True
        assert entry.pk not in resident._register
        assert new.pk in {i for i, _ in resident.candidates(keys)}
        assert dict(resident.key_counts(keys)) == dict(DatabaseRegister().key_counts(keys))
        # The register's tokens one edit from a misspelt one: the same from either source.
        misspelt = skeleton("rahman") + "X"
        assert resident.similar_tokens([misspelt]) == {misspelt: {skeleton("rahman")}}
        assert DatabaseRegister().similar_tokens([misspelt]) == {misspelt: {skeleton("rahman")}}

    remove_entries([new])
    first.sync()
    assert new.pk not in first._register
    assert len(first) == RegisterEntry.objects.count()

    generation = first.generation
    do_rebuild_register()
    first.sync()
    assert first.generation == generation + 1
    assert {i for i, _ in first._register} == set(
        RegisterEntry.objects.values_list("id", flat=True)
    )


def test_matches_give_the_same_outcome_wherever_the_register_is_held(synth_register, settings):
    from safeshare.register import resident as resident_module
    from safeshare.register.service import match_prepared

    data, _ = synth_register
    subjects = [prepare(s.record) for s in data.subjects[:60]]
    settings.SAFESHARE_MATCHING_INDEX = "database"
    expected = [summary(r) for r in match_prepared(subjects)]
    settings.SAFESHARE_MATCHING_INDEX = "process"
    resident_module.forget()
    try:
        assert [summary(r) for r in match_prepared(subjects)] == expected
        assert [summary(match_prepared([s])[0]) for s in subjects] == expected
    finally:
        resident_module.forget()
