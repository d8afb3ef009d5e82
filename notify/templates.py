"""Mail templates as files, one per message and language, with English as the fallback.

A template is ``<name>.<language>.txt``: its first line is ``Subject: ...``, then a blank line,
then the text body. ``<name>.<language>.html``, when present, is the HTML alternative (escaped
automatically). Both are Jinja templates rendered with the same context; a name the context
lacks is an error, never an empty gap in a customer's mail.

The language is the primary subtag of the contact's BCP 47 tag (``zh-CN`` -> ``zh``); a language
without its template falls back to ``en``, and the mail records the language actually used.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

FALLBACK = "en"
_TAG = re.compile(r"^[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*$")


class TemplateError(Exception):
    """A template is missing or broken; the message names the file."""


@dataclass(frozen=True, slots=True)
class Rendered:
    language: str
    subject: str
    text: str
    html: str | None


def primary_language(tag: str | None) -> str:
    """
    >>> primary_language("zh-Hans-CN"), primary_language("EN_gb"), primary_language(None)
    ('zh', 'en', 'en')
    >>> primary_language("not a tag")
    'en'
    """
    if not tag or not _TAG.match(tag.strip()):
        return FALLBACK
    return re.split(r"[-_]", tag.strip())[0].lower()


@lru_cache(maxsize=8)
def _environment(directory: Path, html: bool) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        undefined=jinja2.StrictUndefined,
        autoescape=html,
        keep_trailing_newline=True,
    )


def languages(directory: Path, name: str) -> list[str]:
    """The languages ``name`` has a text template in, sorted."""
    return sorted(p.name.split(".")[-2] for p in directory.glob(f"{name}.*.txt"))


def render(
    directory: Path, name: str, *, language: str | None, context: Mapping[str, Any]
) -> Rendered:
    """``name`` in the contact's language (or English), rendered with ``context``."""
    wanted = primary_language(language)
    chosen = wanted if (directory / f"{name}.{wanted}.txt").is_file() else FALLBACK
    text_file = f"{name}.{chosen}.txt"
    try:
        text = _environment(directory, False).get_template(text_file).render(context)
        html_file = directory / f"{name}.{chosen}.html"
        html = (
            _environment(directory, True).get_template(html_file.name).render(context)
            if html_file.is_file()
            else None
        )
    except jinja2.TemplateNotFound as error:
        raise TemplateError(f"no template {error.name} in {directory}") from None
    except jinja2.TemplateError as error:
        raise TemplateError(f"{text_file}: {error}") from None
    first, _, body = text.partition("\n")
    if not first.startswith("Subject:") or not first[len("Subject:") :].strip():
        raise TemplateError(f"{text_file}: the first line must be 'Subject: ...'")
    return Rendered(chosen, first[len("Subject:") :].strip(), body.lstrip("\n"), html)
