"""Delivery of work orders to the ticketing system: transactional outbox and signed webhooks."""
