"""JSON routers. Each module exposes ``router``; api.main includes them all."""
