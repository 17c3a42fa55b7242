"""The classroom dashboard: live micro-versus-macro demos in the browser (``marketsim dashboard``).

Modules: ``lessons`` (ready scenarios, their stories and levers) and ``questions`` (the words put to a class),
``runs`` (runs computed ahead in threads, the fan of seeds), ``classroom`` (one browser session's lesson,
levers, seed and runs), ``readout`` (the one place that reads a model's records), ``charts`` (the page's
ECharts options) and ``figures`` (the PNG for slides), ``app`` (the Solara page) and ``server`` (starting
Solara, offline). docs/architecture.md has the map.
"""
