"""Connectors that carry work orders into ticketing systems (Request Tracker first) and bring their
status changes back: one small interface in ``base.py``, one module per system."""
