"""Follow-up visits on a schedule, the record of each contact, and the customer survey."""
