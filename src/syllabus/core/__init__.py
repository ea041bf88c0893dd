"""What every layer shares: the caller's context and the doors (surfaces), credential kinds,
typed errors, PATCH fields, row versions, id lookups and value validation. It sits below the
domain's tables and imports nothing of the project above it."""
