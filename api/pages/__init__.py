"""Server-rendered HTML pages. Each module exposes ``router``; api.main includes them all."""
