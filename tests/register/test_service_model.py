"""The service's matcher loads the model file ``SAFESHARE_MATCHING_MODEL`` names (a model
trained or fitted to the register, ADR 39), and the shipped one when it names none."""

from __future__ import annotations

import json

import pytest

from safeshare.matching import load_model
from safeshare.register import service, storage


@pytest.fixture
def fresh_model(settings):
    service.matcher.cache_clear()
    storage.service_model.cache_clear()
    yield settings
    service.matcher.cache_clear()
    storage.service_model.cache_clear()


def test_the_service_loads_the_model_file_it_is_given(fresh_model, tmp_path):
    shipped = load_model()
    doc = shipped.to_dict()
    doc["thresholds"]["membership_prior"] = 0.5
    path = tmp_path / "model.json"
    path.write_text(json.dumps(doc))
    fresh_model.SAFESHARE_MATCHING_MODEL = str(path)
    engine = service.matcher()
    assert engine.version == load_model(path).version != shipped.version
    assert engine.thresholds.membership_prior == 0.5
    assert storage.default_thresholds().membership_prior == 0.5


def test_without_a_file_the_service_uses_the_shipped_model(fresh_model):
    fresh_model.SAFESHARE_MATCHING_MODEL = ""
    assert service.matcher().version == load_model().version
