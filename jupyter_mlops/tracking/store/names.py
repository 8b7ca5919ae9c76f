"""Generated run names: ``adjective-noun-NNN``, as memorable as MLflow's."""

from __future__ import annotations

import random

ADJECTIVES = (
    "amber", "bold", "brave", "bright", "calm", "clever", "crisp", "daring", "eager", "fancy",
    "gentle", "glad", "golden", "happy", "honest", "jolly", "keen", "kind", "lively", "lucky",
    "merry", "mighty", "nimble", "noble", "polite", "proud", "quick", "quiet", "rapid", "shy",
    "silent", "silver", "smart", "snappy", "steady", "sunny", "swift", "tidy", "vivid", "witty",
)  # fmt: skip
NOUNS = (
    "ant", "badger", "bass", "bear", "bee", "bird", "cat", "colt", "crab", "crow",
    "deer", "dog", "dove", "duck", "eel", "elk", "finch", "fox", "frog", "goat",
    "hare", "hawk", "horse", "jay", "koala", "lark", "lion", "lynx", "mole", "moth",
    "newt", "otter", "owl", "panda", "seal", "shrew", "sloth", "snail", "swan", "wolf",
)  # fmt: skip

# The OS source, so that forked workers do not generate the same sequence of names.
_random = random.SystemRandom()


def generate_run_name() -> str:
    """A random name such as ``swift-otter-042`` (64,000 combinations)."""
    return f"{_random.choice(ADJECTIVES)}-{_random.choice(NOUNS)}-{_random.randrange(1000):03d}"
