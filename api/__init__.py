"""HTTP layer: routers, pages, templates and auth wiring. Thin: the work is in placement/."""
