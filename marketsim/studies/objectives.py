"""What a strategy is judged on (``marketsim assess --metric``): a module of its own, so that the command's
help lists the metrics without loading the simulator."""

# what a strategy is judged on: name -> (label with unit, better); "incremental" is against the same future
# without the strategy brand's campaigns, on the same random numbers (lift)
METRICS = {
    "cac": ("customer acquisition cost (money per customer)", "lower"),
    "ltv_to_cac": ("LTV / CAC (ratio)", "higher"),
    "return_on_spend": ("incremental return on spend ((incremental margin - spend) / spend)", "higher"),
    "incremental_profit": ("incremental profit (incremental margin - spend, money)", "higher"),
    "profit": ("gross profit (all margin - spend, money)", "higher"),
    "customer_equity": ("customer equity (discounted margin to come from the customers held, money)", "higher"),
    "incremental_customers": ("incremental customers at the horizon (people)", "higher"),
    "reach": ("reach (people)", "higher"),
    "customers": ("customers at the horizon (people)", "higher"),
    "time_to_control": ("time to niche control", "lower"),
}
DEFAULT_METRIC = "incremental_profit"  # what a budget decision maximises; a ratio would favour the smallest plan
