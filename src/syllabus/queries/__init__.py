"""Read-only fast paths: lists, lookups and reports. Nothing here writes.

One module per aggregate, not per door. An aggregate that several doors read is a package:
``<aggregate>/__init__.py`` holds the reads any door may use (whole rows and lookups, which
is what SkyPrep shows) and its row type (``UserRow``, ``GroupRow``, ``CourseRow``, ``PathRow``,
``ProgressRow``); ``<aggregate>/<door>.py`` holds that door's projections, named for it
(``skilljar_user_extras``, ``SKILLJAR_USERS``, ``scim_user_page``). An aggregate only one door
reads is a single module with plain names (``enrollments``, ``domains``, ``ilt``, ``skills``).

Every public function takes ``(session, ctx, ...)`` and reads ``ctx``'s program only; the few
reads that must find their program first (a certificate code, a calendar key, a signed report
link, the worker's events and the feed by tenant id) say so.
"""
