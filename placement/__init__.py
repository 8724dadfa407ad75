"""Boendekedjan domain: models, rules and services. Never imports FastAPI or Jinja2."""
