"""The market engine: the Mesa model, its step as the funnel (campaigns, exposure, adoption and
churn, word of mouth, loyalty, metrics), and the arrays it works on. Imports only ``scenario``."""
