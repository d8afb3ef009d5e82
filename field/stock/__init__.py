"""Spare parts: the catalogue, stock per warehouse (the central store and engineers' vans), and
an append-only ledger of every movement, which is the truth the stock levels are checked
against."""
