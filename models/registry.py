"""The model registry: versioned model bundles in a directory, with promote and rollback.

Layout under ``root`` (``settings.data_dir / "models"``)::

    registry.json                     {"promoted": "v0002", "history": ["v0001", "v0002"]}
    versions/v0002/manifest.json      creation time, training window, params, metrics, data
                                      hash, sha256 of every artifact file
    versions/v0002/<asset_type>/...   model.json, detector.npz, trend.npz, baselines.npz

Artifacts are JSON and ``.npz`` read with ``allow_pickle=False`` (the Isolation Forest inside an
``.npz`` goes through skops with a trusted-type list), and every file's sha256 is checked against
the manifest before anything is parsed: a tampered artifact is refused, not loaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from models.model import TypeModel


class RegistryError(Exception):
    """Unknown version, tampered artifact, nothing to roll back to: the message says which."""


@dataclass
class ModelBundle:
    """The models of one version, one per asset type."""

    models: dict[str, TypeModel]
    version: str = ""

    def for_type(self, asset_type: str) -> TypeModel | None:
        return self.models.get(asset_type)


@dataclass
class VersionInfo:
    version: str
    created_at: str
    training_start: str
    training_end: str
    asset_types: list[str]
    params: dict[str, Any]
    metrics: dict[str, Any]
    data_hash: str
    artifact_sha256: str
    files: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_json_atomic(path: Path, data: Any) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


_VERSION = re.compile(r"v\d{4,}")


class Registry:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def _state_path(self) -> Path:
        return self.root / "registry.json"

    def _state(self) -> dict[str, Any]:
        if not self._state_path.exists():
            return {"promoted": None, "history": []}
        state: dict[str, Any] = json.loads(self._state_path.read_text())
        return state

    def _version_dir(self, version: str) -> Path:
        if not _VERSION.fullmatch(version):
            raise RegistryError(f"not a version id: {version!r} (expected like v0001)")
        path = self.root / "versions" / version
        if not (path / "manifest.json").exists():
            raise RegistryError(f"no model version {version} in {self.root}")
        return path

    def versions(self) -> list[VersionInfo]:
        base = self.root / "versions"
        if not base.exists():
            return []
        names = sorted(p.name for p in base.iterdir() if _VERSION.fullmatch(p.name))
        return [self.show(name) for name in names]

    def show(self, version: str) -> VersionInfo:
        manifest = json.loads((self._version_dir(version) / "manifest.json").read_text())
        return VersionInfo(**manifest)

    def promoted(self) -> str | None:
        promoted: str | None = self._state().get("promoted")
        return promoted

    def save(
        self,
        bundle: ModelBundle,
        *,
        training_start: datetime,
        training_end: datetime,
        params: dict[str, Any],
        metrics: dict[str, Any],
        data_hash: str,
    ) -> VersionInfo:
        """Write a new version (not promoted). Written to a temporary directory and renamed, so a
        crash never leaves half a version."""
        (self.root / "versions").mkdir(parents=True, exist_ok=True)
        existing = [
            int(p.name[1:])
            for p in (self.root / "versions").iterdir()
            if _VERSION.fullmatch(p.name)
        ]
        version = f"v{max(existing, default=0) + 1:04d}"
        staging = Path(tempfile.mkdtemp(dir=self.root / "versions", prefix=".staging-"))
        files: dict[str, str] = {}
        for asset_type, model in sorted(bundle.models.items()):
            if not re.fullmatch(r"[\w.-]+", asset_type):
                raise RegistryError(f"asset type {asset_type!r} cannot name a directory")
            (staging / asset_type).mkdir()
            for name, data in model.to_files().items():
                (staging / asset_type / name).write_bytes(data)
                files[f"{asset_type}/{name}"] = _sha256(data)
        info = VersionInfo(
            version=version,
            created_at=datetime.now(UTC).isoformat(),
            training_start=training_start.isoformat(),
            training_end=training_end.isoformat(),
            asset_types=sorted(bundle.models),
            params=params,
            metrics=metrics,
            data_hash=data_hash,
            artifact_sha256=_sha256(json.dumps(files, sort_keys=True).encode()),
            files=files,
        )
        _write_json_atomic(staging / "manifest.json", info.to_json())
        os.replace(staging, self.root / "versions" / version)
        return info

    def load(self, version: str) -> ModelBundle:
        """The bundle of a version, after checking every file against the manifest's sha256."""
        path = self._version_dir(version)
        info = self.show(version)
        if _sha256(json.dumps(info.files, sort_keys=True).encode()) != info.artifact_sha256:
            raise RegistryError(f"{version}: manifest file list does not match its sha256")
        per_type: dict[str, dict[str, bytes]] = {}
        for relative, digest in info.files.items():
            data = (path / relative).read_bytes()
            if _sha256(data) != digest:
                raise RegistryError(f"{version}: {relative} does not match its sha256, refused")
            asset_type, name = relative.split("/", 1)
            per_type.setdefault(asset_type, {})[name] = data
        models = {t: TypeModel.from_files(files) for t, files in per_type.items()}
        return ModelBundle(models=models, version=version)

    def load_promoted(self) -> ModelBundle | None:
        version = self.promoted()
        return self.load(version) if version else None

    def promote(self, version: str) -> None:
        self.load(version)  # refuse to promote what would not load
        state = self._state()
        history = [v for v in state["history"] if v != version] + [version]
        _write_json_atomic(self._state_path, {"promoted": version, "history": history})

    def rollback(self) -> str:
        """Promote the previously promoted version again; returns it."""
        state = self._state()
        history: list[str] = state["history"]
        if len(history) < 2:
            raise RegistryError("nothing to roll back to: fewer than two versions were promoted")
        previous = history[-2]
        self.load(previous)
        _write_json_atomic(self._state_path, {"promoted": previous, "history": history[:-1]})
        return previous
