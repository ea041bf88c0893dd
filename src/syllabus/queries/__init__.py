"""Read-only fast paths: lists, lookups and reports. Nothing here writes."""
