"""Loading a generated service history (``simulators.history``) into Vigil: the customers,
contracts, engineers, work orders, visits, surveys and parts of months of service, so that the
KPIs, the reports, the benchmarks and the demo have something real-looking to read.

It sits in ``vigil`` because it writes through every domain below (customers, work orders,
alerts, field, knowledge, follow-up): only the top layer may import them all.
"""
