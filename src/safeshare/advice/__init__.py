"""Advice for migrant victims: candidate immigration routes and support, as dated data.

The pure core is ``eligibility`` (facts and a date to candidate routes, first-responder
prompts, the recovery-period flag and support organisations) over ``rules`` (the condition
language and the route file format). Route data lives in ``routes/*.toml``; support
organisations in ``organisations.toml``. See ``docs/advice.md``.
"""
