"""Engineer scorecards: five parts mapped to 1-5 stars and weighted into one star rating."""
