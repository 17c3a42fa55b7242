"""Whether a customer is satisfied with a brand's product: satisfied customers talk it up and stay
loyal, dissatisfied ones talk it down (docs/model.md, Product fit).

Satisfaction rises smoothly with fit around ``satisfaction_threshold``: a consumer of fit f is
satisfied with probability logistic((f - threshold) / satisfaction_width), drawn once per consumer
and brand, so a brand just under the threshold is not a different world from one just over it.
A width of 0 is a hard cut (satisfied exactly when f >= threshold) and draws nothing.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit


def satisfied(fit: np.ndarray, threshold: float, width: float, rng: np.random.Generator) -> np.ndarray:
    """(brands, N) bool: satisfied with each brand's product, given the true fit."""
    if width == 0:
        return fit >= threshold
    return rng.random(fit.shape) < expit((fit - threshold) / width)
