"""Who works where and when in the generated agency: aliases, people, roles, shifts, and how
many messages each alias receives each day (weekdays, campaigns, growth), all decided up front."""

import bisect
import itertools
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime

from benchmarks import corpus

DAY = 86_400.0
HOUR = 3_600.0
# Messages per hour of the team's local day: quiet nights, a lunch peak and an evening peak.
HOURLY = (
    0.25, 0.12, 0.06, 0.05, 0.05, 0.1, 0.3, 0.7, 1.2, 1.4, 1.4, 1.5,
    1.9, 1.7, 1.3, 1.2, 1.2, 1.3, 1.5, 1.9, 2.1, 1.7, 1.0, 0.5,
)  # fmt: skip
# Shifts in local hours: two overlapping ones on weekdays, one at weekends (none on Sundays
# for the smaller teams).
_CUMULATIVE = list(itertools.accumulate(HOURLY))
WEEKDAY_SHIFTS = ((8.0, 16.5), (14.0, 22.5))
WEEKEND_SHIFTS = ((10.0, 18.0),)


@dataclass(frozen=True)
class Scale:
    aliases: int
    operators: int
    deactivated: int
    days: int
    inbound: int
    posts: int
    audit: int
    handovers: int
    dispatch: int


@dataclass
class Alias:
    id: int
    handle: str
    display_name: str
    language: str
    offset: int
    signature: str
    created: float
    popularity: float
    members: list[tuple[int, str]] = field(default_factory=list)  # (operator id, role)


@dataclass
class Operator:
    id: int
    person: corpus.Person
    joined: float
    left: float | None  # deactivated then


@dataclass(frozen=True)
class Shift:
    start: float
    end: float  # planned; past NOW the shift is still open
    alias: int
    operator: int


def epoch(moment: datetime) -> float:
    return moment.astimezone(UTC).timestamp()


class Population:
    """The static plan of the workspace over `scale.days` days ending at `now`."""

    def __init__(self, scale: Scale, now: datetime, rng: random.Random) -> None:
        self.scale, self.rng, self.now = scale, rng, epoch(now)
        self.first_day = math.floor(self.now / DAY) - scale.days + 1
        self.aliases = self._aliases()
        self.operators = self._operators()
        self._grant()
        self.shifts = self._shifts()

    def day_start(self, day: int) -> float:
        return (self.first_day + day) * DAY

    def _aliases(self) -> list[Alias]:
        count, rng = self.scale.aliases, self.rng
        aliases = []
        for number in range(1, count + 1):
            handle, name, language, offset, signature = corpus.BRANDS[number - 1]
            # Half the aliases were there from the start; the others came in the first year.
            day = 0 if number <= (count + 1) // 2 else rng.randrange(0, self.scale.days // 3)
            created = self.day_start(day) + 9 * HOUR
            popularity = number**-0.7
            aliases.append(
                Alias(number, handle, name, language, offset, signature, created, popularity)
            )
        return aliases

    def _operators(self) -> list[Operator]:
        scale, rng = self.scale, self.rng
        operators = [
            Operator(n, corpus.person(n), self.day_start(0) + 8 * HOUR, None)
            for n in range(1, scale.operators + 1)
        ]
        leads = (scale.aliases + 1) // 2
        # Some people left (deactivated, never deleted); as many were hired to replace them.
        leavers = operators[leads : leads + scale.deactivated]
        hires = operators[len(operators) - scale.deactivated :]
        for leaver, hire in zip(leavers, hires, strict=True):
            day = rng.randrange(scale.days // 4, scale.days - 20)
            leaver.left = self.day_start(day) + 18 * HOUR
            hire.joined = self.day_start(day - 3) + 9 * HOUR
        return operators

    def _grant(self) -> None:
        """Each lead leads two aliases; everyone else works on two, one in six as a trainee."""
        aliases, count = self.aliases, len(self.aliases)
        leads = (count + 1) // 2
        for lead in range(1, leads + 1):
            for alias in {lead, lead + leads}:
                if alias <= count:
                    aliases[alias - 1].members.append((lead, "lead"))
        for number in range(leads + 1, self.scale.operators + 1):
            first = (number - leads - 1) % count
            second = (first + 1 + (number * 7) % (count - 1)) % count if count > 1 else first
            for position, alias in enumerate(dict.fromkeys((first, second))):
                role = "trainee" if (number + position) % 6 == 0 else "operator"
                aliases[alias].members.append((number, role))

    def working(self, operator: int, moment: float) -> bool:
        person = self.operators[operator - 1]
        return person.joined <= moment and (person.left is None or moment < person.left)

    def _shifts(self) -> list[Shift]:
        shifts, rng = [], self.rng
        for alias in self.aliases:
            weights = {"lead": 0.4, "operator": 1.0, "trainee": 0.6}
            for day in range(self.scale.days):
                base = self.day_start(day)
                weekday = (self.first_day + day + 3) % 7  # 1970-01-01 was a Thursday
                slots: tuple[tuple[float, float], ...]
                if weekday < 5:
                    slots = WEEKDAY_SHIFTS
                elif weekday == 5 or alias.id % 2:
                    slots = WEEKEND_SHIFTS
                else:
                    slots = ()
                taken: set[int] = set()
                for number, (begin, finish) in enumerate(slots):
                    start = base + (begin - alias.offset) * HOUR + rng.uniform(-900, 900)
                    end = base + (finish - alias.offset) * HOUR + rng.uniform(-900, 900)
                    if start < alias.created or start >= self.now - 600:
                        continue
                    last_evening = day == self.scale.days - 1 and number == len(slots) - 1
                    if alias.id == 1 and last_evening:
                        operator = 1  # the benchmarks' lead is on shift now, on the busiest alias
                    else:
                        crew = [
                            (member, weights[role])
                            for member, role in alias.members
                            if member not in taken
                            and self.working(member, start)
                            and self.working(member, end)
                            and not (alias.id == 1 and member == 1 and day == self.scale.days - 1)
                        ]
                        if not crew:
                            continue
                        operator = rng.choices([m for m, _ in crew], [w for _, w in crew])[0]
                    taken.add(operator)
                    shifts.append(Shift(start, end, alias.id, operator))
        shifts.sort(key=lambda shift: shift.start)
        return shifts

    def daily_messages(self) -> list[list[int]]:
        """How many messages each alias receives each day: exactly `scale.inbound` in all."""
        weights: list[tuple[float, int, int]] = []
        rng, days = self.rng, self.scale.days
        for alias in self.aliases:
            for day in range(days):
                start = self.day_start(day)
                if start + DAY <= alias.created:
                    continue
                weekday = (self.first_day + day + 3) % 7
                weight = alias.popularity * (1.0, 1, 1, 1, 1.05, 0.8, 0.6)[weekday]
                weight *= 0.6 + 0.8 * day / days  # the agency's clients grow
                if rng.random() < 0.015:
                    weight *= 3.5  # a campaign, an outage, a viral post
                if day == days - 1:
                    weight *= (self.now - start) / DAY
                weights.append((weight, alias.id, day))
        total = sum(weight for weight, _, _ in weights)
        counts = [[0] * days for _ in self.aliases]
        shares = [(self.scale.inbound * w / total, a, d) for w, a, d in weights]
        for share, alias_id, day in shares:
            counts[alias_id - 1][day] = int(share)
        missing = self.scale.inbound - sum(map(sum, counts))
        # Largest remainders first, so that the total is exact.
        for _, alias_id, day in sorted(shares, key=lambda s: s[0] - int(s[0]), reverse=True)[
            :missing
        ]:
            counts[alias_id - 1][day] += 1
        return counts

    def message_times(self, alias: Alias, day: int, count: int) -> list[float]:
        base, draw = self.day_start(day), self.rng.random
        total, times = _CUMULATIVE[-1], []
        for _ in range(count):
            hour = bisect.bisect(_CUMULATIVE, draw() * total)
            # Local hours wrapped into the UTC day, so that each day's messages stay in it.
            moment = base + ((hour - alias.offset) % 24) * HOUR + draw() * HOUR
            if moment >= self.now:
                moment = self.now - draw() * min(6 * HOUR, self.now - base)
            times.append(max(moment, alias.created + 60))
        return times
