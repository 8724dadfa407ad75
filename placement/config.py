"""Settings, read once from the environment (prefix ``BK_``; ``DATABASE_URL`` without prefix)."""

from __future__ import annotations

import base64
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-secret-change-me"  # noqa: S105 - refused outside dev/test
# A fixed development key: refused outside dev/test, like DEV_SECRET.
DEV_ENCRYPTION_KEY = "dev:" + base64.urlsafe_b64encode(b"boendekedjan-dev-key-32-bytes!!!").decode()


def default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "boendekedjan"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BK_", env_file=".env", extra="ignore")

    environment: Literal["dev", "test", "prod"] = "dev"
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "BK_DATABASE_URL")
    )
    # Optional separate login for the app (a role that does not own the tables). Without it
    # the app switches to ``app_db_role`` with SET ROLE after connecting as DATABASE_URL.
    app_database_url: str | None = None
    app_db_role: str = "boendekedjan_app"
    # The app's connection pool: connections kept, extra ones under load, and how long a
    # request waits for one before it is answered "busy, try again" (503).
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=20, ge=0, le=500)
    db_pool_timeout_s: float = Field(default=30.0, gt=0, le=600)
    data_dir: Path = Field(default_factory=default_data_dir)
    host: str = "127.0.0.1"
    port: int = 8000
    # Server processes for `serve` (uvicorn workers); one per core is the usual choice. Each
    # has its own connection pool (db_pool_size) and, with the scheduler on, its own
    # scheduler: reminders are claimed in the database, so none is sent twice.
    workers: int = Field(default=1, ge=1, le=32)
    base_url: str = "http://127.0.0.1:8000"
    secret_key: str = DEV_SECRET
    # Comma-separated "key_id:base64url(32 bytes)" pairs; the first is used to encrypt.
    encryption_keys: str = DEV_ENCRYPTION_KEY
    default_locale: Literal["sv", "en"] = "sv"
    timezone: str = "Europe/Stockholm"

    # Statistics: counts below this are shown as "< N" everywhere; a request waiting longer
    # than this many hours for a place counts as unmet need; a new case within this many days
    # of the same person's closed case counts as re-actualised.
    statistics_min_cell: int = Field(default=5, ge=1, le=100)
    statistics_wait_hours: int = Field(default=24, ge=1, le=24 * 60)
    statistics_reactualised_days: int = Field(default=365, ge=1, le=3650)
    # Seconds an app instance reuses a computed statistics report for the same filters (the
    # report is a year's aggregates, about a second of database work); 0 computes every time.
    # The page says when its figures were computed.
    statistics_cache_s: int = Field(default=60, ge=0, le=3600)

    # Inventory
    hold_minutes: int = 90
    vacancy_stale_hours: int = 12
    ivo_warning_days: int = 60

    # Decisions and the clock
    default_decision_days: int = 14
    office_hours_start: time = time(8, 0)
    office_hours_end: time = time(17, 0)
    follow_up_phone_days: int = 1
    follow_up_physical_days: int = 7
    court_submission_days: int = 7
    # Endings and moves may be dated at most this many days back.
    backdate_days: int = 7
    decision_ending_warning_hours: int = 48
    court_deadline_warning_hours: int = 48

    # Roles that may override a placement rule (comma-separated role names).
    override_roles_csv: str = "rvt_officer,socialjour"
    # A household living on after its decision ran out keeps its place this far ahead
    # while the officer renews, moves or ends (re-extended by the sweep until resolved).
    lapsed_hold_days: int = 7

    # Matching
    exclusion_buffer: bool = False
    matcher_time_limit_s: float = 5.0

    # Priority committee
    committee_papers_due_days: int = 7
    committee_papers_reminder_days: int = 3

    # Scheduler
    scheduler_enabled: bool = True
    scheduler_interval_s: int = 60

    @property
    def override_roles(self) -> tuple[str, ...]:
        return tuple(r.strip() for r in self.override_roles_csv.split(",") if r.strip())

    # Sessions and sign-in
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    require_second_factor: bool = True
    totp_issuer: str = "Boendekedjan"
    login_rate_per_minute: int = 20
    # Failed sign-in steps per (user name, client address) within the window, then that
    # client waits for that user name; a client failing across names is held back as a whole.
    login_max_failures: int = 5
    login_client_max_failures: int = 50
    login_window_minutes: int = 15
    # Wrong second-factor codes per sign-in session before the session is ended.
    totp_max_failures: int = 5
    # Comma-separated addresses of reverse proxies whose X-Forwarded-For is believed.
    # Empty (the default): the peer address is the client, whatever the headers say.
    trusted_proxies: str = ""
    cookie_secure: bool = True

    # OpenID Connect sign-in with a municipal identity provider (optional)
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_username_claim: str = "preferred_username"

    # E-mail (only a case number and a link are ever sent)
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "boendekedjan@example.invalid"

    @model_validator(mode="after")
    def _refuse_dev_secrets(self) -> Settings:
        if self.environment == "prod":
            if self.secret_key == DEV_SECRET:
                raise ValueError("BK_SECRET_KEY must be set to a real secret in production")
            if DEV_ENCRYPTION_KEY in self.encryption_keys:
                raise ValueError("BK_ENCRYPTION_KEYS must not contain the development key")
        return self

    @property
    def pgdata_dir(self) -> Path:
        return self.data_dir / "pgdata"


@lru_cache
def get_settings() -> Settings:
    return Settings()
