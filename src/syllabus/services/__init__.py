"""The write path: one public function per use case, ``verb_noun(session, ctx, *, ...)``.

Services validate, write and record their domain events in the caller's transaction. They
flush and never commit: the request, command or job that called them owns the unit of work.
"""
