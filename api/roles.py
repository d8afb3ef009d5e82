"""Roles an API key carries and what each may do beyond reading."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    viewer = "viewer"
    operator = "operator"
    integrator = "integrator"
    data_scientist = "data_scientist"
    admin = "admin"


# Every role reads; these are the extra rights. Admin may do everything.
OPERATE = frozenset({Role.operator, Role.admin})  # acknowledge, silence, transition work orders
INTEGRATE = frozenset({Role.integrator, Role.operator, Role.admin})  # work-order updates
WEBHOOKS = frozenset({Role.integrator, Role.admin})
MODELS = frozenset({Role.data_scientist, Role.admin})
ADMIN = frozenset({Role.admin})
ANY = frozenset(Role)
# Edit engineer records and send engineers (field/). Until the service-desk roles exist.
DISPATCH = frozenset({Role.operator, Role.admin})
# Write and edit knowledge-base articles (everyone reads them).
KNOWLEDGE = frozenset({Role.operator, Role.admin})
# Receive, count and hand out spare parts (field/stock).
STOCK = frozenset({Role.operator, Role.admin})
