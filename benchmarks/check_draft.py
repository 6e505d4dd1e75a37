"""check_draft: the guide check and weighted length of a 280-character draft, 50-rule guide, p99."""

import statistics
import time
from pathlib import Path

from benchmarks.results import Result
from cmconsole.domain.checker import check
from cmconsole.domain.guide import Guide, parse_guide

GUIDES = Path(__file__).resolve().parent.parent / "config" / "guides"
TARGET_MS = 2.0

_KINDS = (
    ('kind = "forbidden"\nterms = ["mot{i}", "autre mot {i}"]\nsuggestion = "terme{i}"'),
    ('kind = "substitute"\nreplace = {{ "vieux{i}" = "neuf{i}" }}'),
    ('kind = "pattern"\nmode = "forbidden"\npattern = "\\\\bzz{i}\\\\w*"'),
    ('kind = "limit"\ncounts = "capitals"\nmax = 3'),
    ('kind = "person"\nspeaks_as = "nous"\naddresses = "vous"'),
)

DRAFT = (
    "Bonjour @marie ! Merci pour votre message 🍐 Nous revenons vers vous très vite : notre "
    "tarte Belle-Hélène est à petit prix https://bellehelene.fr/tartes et la boutique de la "
    "Croix-Rousse vous attend dès 8 h. Je te dis à samedi, c'est promis !!! #gourmandise "
    "Vos éclairs au café reviennent vendredi, n'hésitez pas."
)[:280]


def fifty_rule_guide() -> Guide:
    """The demo's French guide, grown to fifty rules of every kind."""
    source = (GUIDES / "bellehelene.toml").read_text(encoding="utf-8")
    count = len(parse_guide(source, "bellehelene.toml").rules)
    extra = [
        f'\n[[rules]]\nid = "bench-{i}"\nseverity = "warning"\n'
        + _KINDS[i % len(_KINDS)].format(i=i)
        + "\n"
        for i in range(50 - count)
    ]
    guide = parse_guide(source + "".join(extra), "benchmark guide")
    assert len(guide.rules) == 50, len(guide.rules)
    return guide


def run(repeats: int = 2000) -> Result:
    guide = fifty_rule_guide()
    for _ in range(50):  # warm caches and the emoji tables
        check(DRAFT, guide, author_initials="AB")
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        check(DRAFT, guide, author_initials="AB")
        timings.append((time.perf_counter() - started) * 1000)
    p99 = statistics.quantiles(timings, n=100)[98]
    return Result("check_draft", p99, "ms", TARGET_MS)
