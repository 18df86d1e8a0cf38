"""Configuration from environment variables, validated once at start-up."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    table_name: str = Field(min_length=3, max_length=255)
    bucket_name: str = Field(min_length=3, max_length=63)
    sender_email: str = Field(min_length=3)
    admin_email: str = Field(min_length=3)
    notice_dlq_url: str | None = None
    # The SES configuration set notices are sent with: it publishes their bounces and
    # complaints to the BounceFunction (None: sent without one, e.g. in unit tests).
    configuration_set: str | None = None
    plan_timezone: str = "America/New_York"
    max_send_attempts: int = Field(default=5, ge=1, le=20)
    # Days a sent notice's raw MIME body is kept (DynamoDB TTL); the notice record stays.
    notice_body_retention_days: int = Field(default=90, ge=1, le=3653)

    @field_validator("plan_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        ZoneInfo(value)
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.plan_timezone)

    @classmethod
    def from_env(cls, env: dict[str, str]) -> Settings:
        return cls(
            table_name=env.get("TABLE_NAME", ""),
            bucket_name=env.get("BUCKET_NAME", ""),
            sender_email=env.get("SENDER_EMAIL", ""),
            admin_email=env.get("ADMIN_EMAIL", ""),
            notice_dlq_url=env.get("NOTICE_DLQ_URL") or None,
            configuration_set=env.get("CONFIGURATION_SET_NAME") or None,
            plan_timezone=env.get("PLAN_TIMEZONE", "America/New_York"),
            max_send_attempts=int(env.get("MAX_SEND_ATTEMPTS", "5")),
            notice_body_retention_days=int(env.get("NOTICE_BODY_RETENTION_DAYS", "90")),
        )
