"""The question → check answers → confirmation dispatch that every consequential protocol page
shares (ADR 0044): each page says only what is its own (its form, its checks, its pages and its
action), and this says in what order they happen.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect

from safeshare.accounts.requests import AuthenticatedHttpRequest
from safeshare.cases.forms import add_action_errors
from safeshare.idempotency.pages import check_url, confirm_once, done_url, read_step


def check_answers_flow[F: forms.Form](
    request: AuthenticatedHttpRequest,
    *,
    flow: str,
    record: object,
    page: str,
    make_form: Callable[[QueryDict | None], F],
    check: Callable[[F, str, str], HttpResponse],
    act: Callable[[F], object],
    question: Callable[[F, bool], HttpResponse],
    done: Callable[[], HttpResponse],
    validate: Callable[[F], None] | None = None,
    before_form: Callable[[], HttpResponse | None] | None = None,
) -> HttpResponse:
    """One request to a page of ``flow`` about ``record``, whose address is ``page``.

    - A confirm button pressed before goes where the first press went; answers that were
      altered, are someone else's or too old send the person back to the question.
    - ``done()`` draws the confirmation page.
    - ``before_form()`` may answer instead of the question (for example when there is nothing
      left to decide).
    - ``make_form(data)`` builds the question's form; when it was posted and is valid,
      ``validate(form)`` adds the errors the action would give, said before the check page.
    - A valid answer to the question draws ``check(form, answers, change_url)``; a valid confirm
      runs ``act(form)`` once, however often the button is pressed, then shows the
      confirmation. An action that refuses puts its reasons on the form.
    - Otherwise ``question(form, posted)`` draws the question page.
    """
    step = read_step(request, flow, record)
    if step.kind == "repeat":
        return redirect(step.location)
    if step.kind == "lost":
        return redirect(page)
    if step.kind == "done":
        return done()
    if before_form is not None:
        instead = before_form()
        if instead is not None:
            return instead
    form = make_form(step.data)
    if step.posted and form.is_valid() and validate is not None:
        validate(form)
    if step.posted and form.is_valid():
        if step.kind == "check":
            answers, change_url = check_url(page, request, flow, record)
            return check(form, answers, change_url)

        def confirmed() -> str:
            act(form)
            return done_url(page, request, flow, record, {})

        try:
            return redirect(confirm_once(str(request.user.pk), step.nonce, confirmed))
        except ValidationError as error:
            add_action_errors(form, error)
    return question(form, step.posted)
