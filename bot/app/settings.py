"""Settings, exactly the variables of CONTRACT.md, read from the environment and `.env`.

Start-up must fail with one line that names the bad setting: `load_settings` turns
pydantic's validation report into a `SettingsError` with that line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

CommaList = Annotated[tuple[str, ...], NoDecode]

_SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_EMAIL = re.compile(r"^[^@\s,]+@[^@\s,]+\.[^@\s,]+$")


DEFAULT_UPDATE_MINUTES = {"sev1": 30, "sev2": 60, "sev3": 240, "sev4": 0}
_SEVERITIES = tuple(DEFAULT_UPDATE_MINUTES)


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line naming it."""


def _split(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, Iterable):
        return tuple(str(part).strip() for part in value if str(part).strip())
    raise ValueError("expected a comma-separated list")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str | None = None
    database_url: str = "sqlite:///warroom.db"
    warroom_team_timezones: CommaList = ("UTC",)
    warroom_admins: CommaList = ()
    warroom_channel_prefix: str = "inc"
    warroom_support_poll_seconds: int = Field(default=60, ge=5)
    warroom_support_cc: CommaList = ()
    warroom_support_service_code: str | None = None
    warroom_support_category_code: str | None = None
    warroom_nudge_minutes: int = Field(default=45, ge=1)
    warroom_runbooks_dir: str | None = None
    # Seconds to wait for one Slack Web API answer; past it the outcome is unknown and
    # warroom looks before it retries (see README, Reliability).
    warroom_slack_timeout_seconds: float = Field(default=15, gt=0, le=120)
    warroom_public_url: str | None = None
    warroom_page_secret: SecretStr | None = None
    warroom_signin_client_id: str | None = None
    warroom_signin_client_secret: SecretStr | None = None
    warroom_stakeholder_channel: str | None = None
    warroom_update_minutes: Annotated[dict[str, int], NoDecode] = Field(
        default_factory=lambda: dict(DEFAULT_UPDATE_MINUTES)
    )
    warroom_aws_regions: CommaList = ()
    warroom_log_format: Literal["text", "json"] = "text"
    warroom_log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("warroom_log_format", "warroom_log_level", mode="before")
    @classmethod
    def _log_words(cls, value: object, info: ValidationInfo) -> object:
        if not isinstance(value, str):
            return value
        word = value.strip()
        return word.lower() if info.field_name == "warroom_log_format" else word.upper()

    @field_validator("warroom_team_timezones", mode="before")
    @classmethod
    def _zones(cls, value: object) -> tuple[str, ...]:
        zones = _split(value) or ("UTC",)
        for zone in zones:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown IANA timezone {zone!r}") from None
        return zones

    @field_validator("warroom_admins", mode="before")
    @classmethod
    def _admins(cls, value: object) -> tuple[str, ...]:
        admins = _split(value)
        for admin in admins:
            if not _SLACK_USER_ID.match(admin):
                raise ValueError(f"{admin!r} is not a Slack user ID (like U0123ABCD)")
        return admins

    @field_validator("warroom_support_cc", mode="before")
    @classmethod
    def _emails(cls, value: object) -> tuple[str, ...]:
        emails = _split(value)
        for email in emails:
            if not _EMAIL.match(email):
                raise ValueError(f"{email!r} is not an e-mail address")
        return emails

    @field_validator("warroom_aws_regions", mode="before")
    @classmethod
    def _regions(cls, value: object) -> tuple[str, ...]:
        regions = _split(value)
        for region in regions:
            if not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", region):
                raise ValueError(f"{region!r} is not an AWS region (like us-east-1)")
        return regions

    @field_validator("warroom_channel_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,20}", value):
            raise ValueError("must be 1-21 characters of a-z, 0-9, '-' or '_'")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not re.match(r"^https?://", value):
            raise ValueError("must be an http(s) URL such as http://127.0.0.1:9999/api/")
        # slack_sdk drops the last path segment unless the base URL ends with '/'.
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return check_database_url(value)

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value

    @field_validator("warroom_update_minutes", mode="before")
    @classmethod
    def _update_minutes(cls, value: object) -> dict[str, int]:
        """`sev1=30,sev2=60`: severities not named keep their default; 0 means never."""
        if isinstance(value, dict):
            value = ",".join(f"{k}={v}" for k, v in value.items())
        minutes = dict(DEFAULT_UPDATE_MINUTES)
        for part in _split(value):
            severity, sep, number = (piece.strip() for piece in part.partition("="))
            if not sep or severity.lower() not in _SEVERITIES:
                raise ValueError(f"{part!r} is not sevN=minutes (like sev1=30)")
            if not number.isdigit():
                raise ValueError(f"{part!r}: minutes must be a whole number (0 = never)")
            minutes[severity.lower()] = int(number)
        return minutes

    @field_validator("warroom_public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("must be an http(s) URL such as https://warroom.example.com")
        return value.rstrip("/")

    @field_validator("warroom_stakeholder_channel")
    @classmethod
    def _stakeholder_channel(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not re.fullmatch(r"[CGD][A-Z0-9]{2,}", value):
            raise ValueError(f"{value!r} is not a Slack channel ID (like C0123ABCD)")
        return value

    @model_validator(mode="after")
    def _page_secret_with_url(self) -> Settings:
        if self.warroom_public_url and not self.warroom_page_secret:
            raise ValueError("WARROOM_PAGE_SECRET is required when WARROOM_PUBLIC_URL is set")
        if bool(self.warroom_signin_client_id) != bool(self.warroom_signin_client_secret):
            raise ValueError(
                "WARROOM_SIGNIN_CLIENT_ID and WARROOM_SIGNIN_CLIENT_SECRET go together"
            )
        return self

    def require(self, *names: str) -> None:
        """Stop start-up when a setting this process needs is missing."""
        for name in names:
            if getattr(self, name) in (None, ""):
                raise SettingsError(f"{name.upper()} is required but not set")


def check_database_url(value: str) -> str:
    """A URL SQLAlchemy can use, with its driver installed; the message never shows a
    password (pydantic does not echo a validator's input)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        url = make_url(value)
    except ArgumentError:
        raise ValueError(
            "not a SQLAlchemy URL; write postgresql+psycopg://user@host/db or sqlite:///file"
        ) from None
    if url.drivername.split("+")[0] == "postgres":
        raise ValueError(
            f"{url.drivername}:// is not a SQLAlchemy name; write postgresql+psycopg://user@host/db"
        )
    try:
        url.get_dialect().import_dbapi()
    except NoSuchModuleError:
        raise ValueError(
            f"unknown database {url.drivername!r}; write postgresql+psycopg://user@host/db "
            "or sqlite:///file"
        ) from None
    except ImportError as error:
        raise ValueError(
            f"the driver of {url.drivername}:// ({error.name}) is not installed; "
            "write postgresql+psycopg://user@host/db"
        ) from None
    return value


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        message = str(error["msg"]).removeprefix("Value error, ")
        if not error["loc"]:  # a rule across settings names them itself
            raise SettingsError(message) from None
        name = str(error["loc"][0]).upper()
        raise SettingsError(f"{name} is malformed: {message}") from None
