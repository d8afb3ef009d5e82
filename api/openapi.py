"""Touches to the generated OpenAPI document so it describes every response the API gives."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field


class Problem(BaseModel):
    """An error with a message meant for people (and extra fields where useful)."""

    detail: str = Field(examples=["role 'viewer' may not acknowledge or silence alerts; ..."])


# Every /api/v1 route can answer these.
COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No key, or an invalid or revoked one"},
    403: {
        "model": Problem,
        "description": "The key's role may not do this (the message says who may)",
    },
}


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
        )
        schemas = document.get("components", {}).get("schemas", {})
        validation = schemas.get("HTTPValidationError")
        if validation is not None:
            # A 422 is either FastAPI's list of field errors or one message from a rule the schema
            # cannot express (start before end, a transition that is not allowed, ...).
            items = validation["properties"]["detail"]
            validation["properties"]["detail"] = {
                "title": "Detail",
                "anyOf": [items | {"title": None}, {"type": "string"}],
            }
            validation["properties"]["detail"]["anyOf"][0].pop("title")
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
