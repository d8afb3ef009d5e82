"""The examples in the simulators' docstrings run (pytest collects doctests only under models/)."""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil

import pytest

import simulators

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(simulators.__path__, "simulators.")
    if ">>>" in inspect.getsource(importlib.import_module(m.name))
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
