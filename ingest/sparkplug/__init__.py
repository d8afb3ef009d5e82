"""Sparkplug B ingest: topics, payloads, edge-node sessions and their mapping to sites and assets.

The protobuf schema comes from Eclipse Tahu's own Python package (via ``tahutils``); this package
adds what a host application does with it: learn metric names and aliases from the BIRTH
messages, check sequence numbers and ask for a Rebirth on a gap, and turn DATA into the same
telemetry points as the JSON contract. See docs/gateway-contract.md, "Sparkplug B".
"""
