"""Generated names of unnamed logged models (pure).

MLflow names a logged model created without a name ``<adjective>-<noun>-<number>``
(``bold-owl-381``), at most 20 characters, so that models are told apart in lists and
charts. Ours have the same shape, from word lists of our own; the service picks, among a
few candidates, one no live model of the experiment already has.
"""

from __future__ import annotations

import secrets

MAX_GENERATED_LENGTH = 20

_ADJECTIVES = (
    "amber", "brave", "bright", "calm", "clever", "crisp", "eager", "fair", "fleet", "gentle",
    "glad", "grand", "keen", "kind", "lively", "lucid", "merry", "mild", "neat", "noble",
    "polite", "proud", "quick", "quiet", "rapid", "sharp", "shy", "silver", "smart", "solid",
    "steady", "sunny", "swift", "tidy", "vivid", "warm", "wise", "witty", "young", "zesty",
)  # fmt: skip
_NOUNS = (
    "alder", "badger", "bee", "birch", "crane", "deer", "dove", "eagle", "elm", "falcon",
    "fern", "finch", "fox", "gull", "hare", "hawk", "heron", "ibis", "jay", "kite",
    "lark", "lynx", "maple", "mole", "moth", "newt", "oak", "otter", "owl", "pine",
    "quail", "raven", "robin", "seal", "swan", "teal", "trout", "vole", "wren", "yak",
)  # fmt: skip


def generate_name() -> str:
    """One random ``<adjective>-<noun>-<0..999>`` of at most 20 characters."""
    name = f"{secrets.choice(_ADJECTIVES)}-{secrets.choice(_NOUNS)}-{secrets.randbelow(1000)}"
    return name[:MAX_GENERATED_LENGTH]


def name_candidates(count: int = 8) -> list[str]:
    """``count`` distinct generated names to choose a free one from."""
    names: list[str] = []
    while len(names) < count:
        name = generate_name()
        if name not in names:
            names.append(name)
    return names
