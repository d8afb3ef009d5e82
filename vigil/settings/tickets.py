"""Settings of the delivery of work orders to ticketing systems: signed webhooks from the
outbox and the Request Tracker connector."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, Field, model_validator


class TicketSettings(BaseModel):
    webhook_max_age_s: float = Field(default=24 * 3600.0, gt=0)
    # How often the outbox is checked for work-order events to deliver.
    webhook_poll_s: float = Field(default=1.0, gt=0)

    # --- Request Tracker connector (subscriptions with connector "rt"; their URL is RT's) ---
    rt_user: str | None = None
    rt_password: str | None = None
    # An RT auth token (RT 5: Settings > Auth Tokens); used instead of user and password.
    rt_token: str | None = None
    # The queue rule: this work-order field's value looked up in rt_queues, else rt_default_queue.
    rt_queue_by: Literal["site", "customer", "priority"] = "site"
    rt_queues: dict[str, str] = Field(default_factory=dict)  # JSON: {"plant-north": "North"}
    rt_default_queue: str = "General"
    # How often RT's status changes are read back.
    rt_poll_s: float = Field(default=30.0, gt=0)

    @model_validator(mode="after")
    def _rt_credentials(self) -> Self:
        if self.rt_user is not None and self.rt_password is None:
            raise ValueError("VIGIL_RT_USER needs VIGIL_RT_PASSWORD (or use VIGIL_RT_TOKEN)")
        return self

    @property
    def rt_configured(self) -> bool:
        return self.rt_token is not None or self.rt_user is not None
