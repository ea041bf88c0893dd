"""The request pipeline every door shares: who is calling, honest rate limits, idempotency
keys, one unit of work, and refusals in the door's own words.

Surface-neutral: a door (``doors.Door``) names where its credential travels (an extractor),
its credential kind and how it words a guard's refusal; ``pipeline`` holds the steps
(``admit``, ``IdempotentRequest``, ``request_work``) built on ``rate_limiting`` and
``idempotency``. ``middleware.ApiGuard`` runs the first steps around a whole REST surface
(``/v1``, ``/scim/v2``); the SkyPrep dispatcher, whose key may be in the body, runs them itself.
A web page handler is one more door: a session-cookie extractor and ``request_work``.
"""
