"""The classroom dashboard: live micro-versus-macro demos in the browser (``marketsim dashboard``).

Modules: ``lessons`` (ready scenarios, their stories, questions and levers), ``classroom`` (the
Mesa model of one browser session: two runs side by side), ``readout`` (the one place that reads
a running model's state), ``figures`` (the plots), ``app`` (the Solara page) and ``server``
(starting Solara).
"""
