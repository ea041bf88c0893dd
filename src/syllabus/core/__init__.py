"""What every layer above the domain shares: the caller's context, typed errors, PATCH fields,
id lookups and value validation. It imports nothing of services or queries."""
