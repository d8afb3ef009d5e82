"""What management reads and plans with: KPIs (``reports.kpis``), monthly and quarterly
reports, engineer scorecards and customer value. Reads every layer below; nothing below reads it."""
