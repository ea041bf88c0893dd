"""Work that reaches outside the database: the worker, and (later) webhooks and the feed."""
