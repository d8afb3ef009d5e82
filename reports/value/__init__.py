"""Customer value: the monthly RFM analysis that proposes tiers, and what VIP customers get."""
