"""The model registry: versions, the promoted one, promote and roll back (data scientists)."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from fastapi import APIRouter, HTTPException, Path, Request
from pydantic import BaseModel, Field

from api.deps import CurrentKey, ModelsKey
from models.registry import Registry, RegistryError, VersionInfo

router = APIRouter(prefix="/models", tags=["models"])

VersionId = Annotated[str, Path(pattern=r"^v\d{4,12}$", examples=["v0003"])]
_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such version"},
    409: {
        "description": "The version's artifacts fail their sha256 check, or nothing to roll back"
    },
}


class ModelVersion(BaseModel):
    version: str = Field(examples=["v0003"])
    promoted: bool
    created_at: str
    training_start: str
    training_end: str
    asset_types: list[str]
    params: dict[str, Any]
    metrics: dict[str, Any] = Field(examples=[{"pump": {"f1": 0.84, "far": 0.08}}])
    data_hash: str
    artifact_sha256: str


class ModelList(BaseModel):
    promoted: str | None
    versions: list[ModelVersion]


def _registry(request: Request) -> Registry:
    registry: Registry | None = request.app.state.registry
    if registry is None:
        raise HTTPException(503, detail="no model registry is configured in this process")
    return registry


def _read(info: VersionInfo, promoted: str | None) -> ModelVersion:
    data = {k: v for k, v in info.to_json().items() if k != "files"}
    return ModelVersion(promoted=info.version == promoted, **data)


def _existing(registry: Registry, version: str) -> VersionInfo:
    try:
        return registry.show(version)
    except (RegistryError, FileNotFoundError):
        raise HTTPException(404, detail=f"no model version {version}") from None


@router.get("", response_model=ModelList, summary="Model versions, oldest first")
def list_models(request: Request, key: CurrentKey) -> ModelList:
    registry = _registry(request)
    promoted = registry.promoted()
    return ModelList(promoted=promoted, versions=[_read(v, promoted) for v in registry.versions()])


@router.get("/{version}", response_model=ModelVersion, responses=_ERRORS, summary="One version")
def show_model(version: VersionId, request: Request, key: CurrentKey) -> ModelVersion:
    registry = _registry(request)
    return _read(_existing(registry, version), registry.promoted())


@router.post(
    "/{version}/promote",
    response_model=ModelVersion,
    responses=_ERRORS,
    summary="Promote a version; the scorer hot-reloads it (its artifacts are verified first)",
)
async def promote(version: VersionId, request: Request, key: ModelsKey) -> ModelVersion:
    registry = _registry(request)
    info = _existing(registry, version)
    try:
        await anyio.to_thread.run_sync(registry.promote, version)
    except RegistryError as error:
        raise HTTPException(409, detail=str(error)) from None
    return _read(info, version)


@router.post(
    "/rollback",
    response_model=ModelVersion,
    responses=_ERRORS,
    summary="Promote the previously promoted version again",
)
async def rollback(request: Request, key: ModelsKey) -> ModelVersion:
    registry = _registry(request)
    try:
        version = await anyio.to_thread.run_sync(registry.rollback)
    except RegistryError as error:
        raise HTTPException(409, detail=str(error)) from None
    return _read(registry.show(version), version)
