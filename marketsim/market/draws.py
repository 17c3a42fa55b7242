"""Uniform random numbers for some consumers only, as a draw for everyone would give them.

Each purpose's stream draws one uniform per consumer per step, so that runs differing in who is a
candidate keep common random numbers (lift). When few consumers need theirs, drawing all of them
is most of the work: numpy's PCG64 can jump ahead instead (``advance``), and ``random`` turns one
64-bit output into one double, so the numbers at the needed places, and the stream's state after
the step, are the same to the bit.
"""

from __future__ import annotations

import numpy as np

JUMP_COST = 600  # one jump and one draw cost about as much as drawing this many uniforms


def uniforms_at(rng: np.random.Generator, n: int, positions: np.ndarray, everyone: np.ndarray) -> np.ndarray:
    """``rng.random(n)[positions]`` for sorted ``positions``, jumping over the others when they are
    few; ``everyone`` (length n) is the buffer a full draw fills."""
    if positions.size * JUMP_COST >= n:
        rng.random(out=everyone)
        return everyone[positions]
    out = np.empty(positions.size)
    generator, at = rng.bit_generator, 0
    for k, i in enumerate(positions.tolist()):
        generator.advance(i - at)
        out[k] = rng.random()
        at = i + 1
    generator.advance(n - at)
    return out
