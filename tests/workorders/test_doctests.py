"""The examples in the work-order modules' docstrings run (pytest collects doctests only under
``models/`` and ``tests/``)."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from customers import hours
from workorders import priority
from workorders.requests import rules
from workorders.webhooks import signing


@pytest.mark.parametrize("module", [priority, signing, rules, hours], ids=lambda m: m.__name__)
def test_docstring_examples(module: ModuleType) -> None:
    result = doctest.testmod(module, raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0
