"""The question for the class that the dashboard shows with each lesson (scenario name -> question).

The words live here, apart from the lesson machinery in ``lessons``, because students check them against the
numbers on the screen: every budget, spend, ratio and count a question states is measured on the scenario as
written (seed 1, the dashboard's default) by tests/test_lesson_words.py, which also checks the stories (the
scenario files' opening comments). Change a figure here only together with the claim that test measures, and
prefer asking about an outcome (who wins) to asserting it, since another seed can change it.
"""

from __future__ import annotations

QUESTIONS = {
    "baseline": "Both brands have a budget of 60,000, but Spark spends only about 28,500 of it and Mass about "
                "59,000. After a year, which brand has more customers, and which holds the larger share of the "
                "young, active niche? Can the two answers be different brands, and why?",
    "energy_drink_events": "Five events against a year of TV for the same money: who reaches a majority of "
                           "the thrill seekers first, and what carries the message after each event?",
    "launch_decision": "Ridge's mixed plan spends about 57,000 of its 60,000: about 24,000 on social ads aimed at "
                       "trail runners (research included), 6,000 on free pairs and about 27,000 on a TV spot for "
                       "everyone. After a year, who wears the shoe, and which part of the money found them?",
    "limited_exposure": "Aiming only at the under-30s is cheaper per contact. What happens to the customers "
                        "over 30 after three years, and can word of mouth make up for them?",
    "named_bottles": "Everyone sees both bottles on the same shelf, and both brands spend about the same. Does a "
                     "name on the bottle win more customers than a generic label? Does it keep them longer? Look "
                     "at new customers, loyalty and the customers each brand loses.",
    "niche_saturation": "Once Craft holds most connoisseurs it raises its price there by 15% and cuts its ads "
                        "to a fifth. Does it keep its majority, and why?",
    "rainy_city_rides": "One service advertises only when it rains, the other every day. Which one pays "
                        "less per new rider, and what did the dry-day ads buy?",
    "small_business_teens": "Two shops with 3,000 each: one on the app teenagers use, one on local radio. "
                            "Where does each shop's money go, and who wins the teens?",
    "underserved_segment": "Rival spends about two and a half times as much as Nike (about 51,500 against "
                           "20,650). Who ends up serving plus-size shoppers, and at what cost per customer?",
    "wrong_niche": "Same product, same budget, same guess about the customer, but one brand tests its guess "
                   "with a two-week panel before it advertises. How much of the untested guess's money is "
                   "wasted, and how would you notice in time?",
}
DEFAULT_QUESTION = "Which brand leads on customers, on cost per customer and in the niche, and why?"
