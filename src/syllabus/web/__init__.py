"""Server-rendered pages and browser entry points."""
