"""The sealed answers a check-answers page carries (ADR 0044): only their own person, page and
record can open them, not after an hour, and they say nothing to whoever sees the address."""

from __future__ import annotations

import time
from types import SimpleNamespace

from django.http import QueryDict
from django.test import RequestFactory

from safeshare.web import check_answers


def request_for(user_id: int):
    request = RequestFactory().post("/")
    request.user = SimpleNamespace(pk=user_id)  # type: ignore[attr-defined]
    return request


def posted(**values: str) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in values.items():
        data[key] = value
    data["csrfmiddlewaretoken"] = "not kept"
    return data


def test_answers_come_back_as_posted_with_a_nonce():
    token = check_answers.sign_answers(request_for(1), "flow", "PR-1", posted(safe_phone="07700"))
    data, nonce = check_answers.read_answers(request_for(1), "flow", "PR-1", token)
    assert data["safe_phone"] == "07700"
    assert "csrfmiddlewaretoken" not in data
    assert len(nonce) >= 16
    assert "07700" not in token  # sealed, not only signed: the address says nothing


def test_only_the_same_person_page_and_record_can_open_them():
    token = check_answers.sign_answers(request_for(1), "flow", "PR-1", posted(a="b"))
    assert check_answers.read_answers(request_for(2), "flow", "PR-1", token) is None
    assert check_answers.read_answers(request_for(1), "other", "PR-1", token) is None
    assert check_answers.read_answers(request_for(1), "flow", "PR-2", token) is None
    assert check_answers.read_answers(request_for(1), "flow", "PR-1", token[:-3] + "abc") is None
    assert check_answers.read_answers(request_for(1), "flow", "PR-1", "") is None
    done = check_answers.sign_done(request_for(1), "flow", "PR-1", {"pack": "x"})
    assert check_answers.read_answers(request_for(1), "flow", "PR-1", done) is None


def test_answers_older_than_an_hour_are_not_acted_on(monkeypatch):
    token = check_answers.sign_answers(request_for(1), "flow", "PR-1", posted(a="b"))
    later = time.time() + check_answers.MAX_AGE_SECONDS + 5
    monkeypatch.setattr(time, "time", lambda: later)
    assert check_answers.read_answers(request_for(1), "flow", "PR-1", token) is None


def test_long_answers_still_fit_in_a_change_link():
    reasons = "The subject is wanted for a serious offence and is a risk to the public. " * 55
    token = check_answers.sign_answers(request_for(1), "flow", "PR-1", posted(reasons=reasons))
    assert len(reasons) > 3900
    assert len(token) < 3000
