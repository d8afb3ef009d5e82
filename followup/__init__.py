"""Verification of a repair from telemetry, follow-up tasks on a schedule, surveys."""
