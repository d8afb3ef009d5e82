"""Roles an API key carries and what each may do beyond reading."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    viewer = "viewer"
    operator = "operator"
    integrator = "integrator"
    data_scientist = "data_scientist"
    admin = "admin"
    # The service desk (issue 11).
    dispatcher = "dispatcher"  # takes requests, classifies, sends engineers
    service_manager = "service_manager"  # the dispatcher's rights, plus customer records and rules
    engineer = "engineer"  # bound to one engineer: sees and updates only work assigned to them
    customer = "customer"  # bound to one customer: its own sites, assets and work; raises requests


# Keys bound to one party: they read only what is theirs, through the routes that scope by key.
# Every other route refuses them (403), whatever it shows.
BOUND = frozenset({Role.engineer, Role.customer})
# The staff roles read everything; these are the extra rights. Admin may do everything.
STAFF = frozenset(Role) - BOUND
DESK = frozenset({Role.dispatcher, Role.service_manager})
OPERATE = frozenset({Role.operator, Role.admin}) | DESK  # acknowledge, silence, transition
INTEGRATE = frozenset({Role.integrator, Role.operator, Role.admin}) | DESK  # work-order updates
# Raise requests: the desk for any customer, a customer key for its own assets and sites.
REQUEST = OPERATE | {Role.customer}
# Customer records, contracts, asset records, classification rules, tiers.
RECORDS = frozenset({Role.service_manager, Role.admin})
WEBHOOKS = frozenset({Role.integrator, Role.admin})
MODELS = frozenset({Role.data_scientist, Role.admin})
ADMIN = frozenset({Role.admin})
ANY = frozenset(Role)
# Edit engineer records and send engineers (field/).
DISPATCH = frozenset({Role.operator, Role.admin}) | DESK
# Write and edit knowledge-base articles (everyone reads them).
KNOWLEDGE = frozenset({Role.operator, Role.admin})
# Receive, count and hand out spare parts (field/stock).
STOCK = frozenset({Role.operator, Role.admin})
