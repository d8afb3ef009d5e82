"""Topic templates such as ``vigil/{site}/{asset}/telemetry``: subscription filters and matching."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SEGMENT_NAME = re.compile(r"\{(\w+)\}")
# Site and asset ids (and Sparkplug group, node and device ids).
ID = re.compile(r"[A-Za-z0-9_.-]{1,128}")


@dataclass(frozen=True)
class TopicTemplate:
    template: str

    @property
    def levels(self) -> list[str]:
        return self.template.split("/")

    def subscription(self, group: str | None = None) -> str:
        """The MQTT filter for this template; ``$share/<group>/...`` when collectors share load."""
        filt = "/".join("+" if _SEGMENT_NAME.fullmatch(level) else level for level in self.levels)
        return f"$share/{group}/{filt}" if group else filt

    def match(self, topic: str) -> dict[str, str] | None:
        """Named segments of ``topic``, or None when it does not fit the template or an id is bad."""
        parts = topic.split("/")
        levels = self.levels
        if len(parts) != len(levels):
            return None
        names: dict[str, str] = {}
        for level, part in zip(levels, parts, strict=True):
            named = _SEGMENT_NAME.fullmatch(level)
            if named is None:
                if level != part:
                    return None
            elif ID.fullmatch(part):
                names[named[1]] = part
            else:
                return None
        return names

    def format(self, **names: str) -> str:
        return self.template.format(**names)
