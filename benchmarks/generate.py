"""A realistic agency workspace, generated in time order and written in bulk.

Shifts, messages, replies, approvals, handovers and their acknowledgements happen as one timeline:
every id grows with time, as it would in a workspace that lived through it, and the rows the
storage keeps in step (contact threads, shift marks) are computed the way storage computes them.
The audit is the chain of the last `scale.audit` events: the history before it was imported when
the agency moved to cmconsole. Aliases speak on the sandbox channel, whose own public square is
left empty (it is the channel's data, not the workspace's).
"""

import bisect
import heapq
import itertools
import json
import math
import random
import tempfile
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Protocol

from benchmarks import corpus
from benchmarks.population import DAY, Population, Scale
from cmconsole.domain.audit_chain import GENESIS_HASH, record, record_hash
from cmconsole.domain.content import guide_stamp, handover_stamp, operator_stamp, post_stamp
from cmconsole.domain.guide import parse_guide
from cmconsole.domain.model import HandoverContent
from cmconsole.domain.passphrase import hash_passphrase

GENERATOR_VERSION = 6  # 2: content stamps on the audit, salted posts; 3: thread states;
# 4: contacts; 5: one contact in RATED_EVERY rated on relevancy, as a team rates the few it knows;
# 6: each alias's channel in alias_channel, each message's and post's channel
RATED_EVERY = 100
NOW = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)  # a Friday afternoon: two shifts on, a peak
PASSPHRASE = "benchmark passphrase"
SEARCHED = "remboursement"
STANDALONE_SHARE = 0.06  # of posts: announcements, the rest answer someone
ONE_OFF_SHARE = 0.3  # of messages: people who write once and never again
DISPATCHER = "agency-box:4242"
_MESSAGE_IDS = 1_790_000_000_000_000_000  # X-like ids for what the channel numbered
_POST_IDS = 1_800_000_000_000_000_000
_GUIDES = Path(__file__).resolve().parent.parent / "config" / "guides"
SCALES = {
    "small": Scale(
        aliases=4, operators=12, deactivated=2, days=60, inbound=40_000, posts=20_000,
        audit=20_000, handovers=300, dispatch=500,
    ),
    "agency": Scale(
        aliases=20, operators=50, deactivated=6, days=730, inbound=2_000_000,
        posts=1_000_000, audit=1_000_000, handovers=20_000, dispatch=10_000,
    ),
}  # fmt: skip


class Sink(Protocol):
    """Where rows go: each database takes timestamps its own way and loads rows in bulk."""

    def stamp(self, moment: float) -> object: ...

    def rows(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None: ...


@dataclass(frozen=True)
class Facts:
    """What the benchmarks need to know about the workspace they run on."""

    scale: str
    now: str
    alias_id: int
    alias_handle: str
    lead: str
    passphrase: str
    author: str  # the alias's busiest writer over the last 30 days
    searched: str
    counts: dict[str, int]

    @property
    def moment(self) -> datetime:
        return datetime.fromisoformat(self.now)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Facts":
        return cls(**json.loads(text))


COLUMNS = {
    "alias": "id handle display_name language channel signature_kind signature_text created_at",
    "alias_channel": "alias_id channel connected_at",
    "operator": "id name display_name initials passphrase_hash active created_at deactivated_at",
    "membership": "operator_id alias_id role",
    "guide_version": "id alias_id version source change_note created_by created_at",
    "guide_ack": "alias_id operator_id version acknowledged_at",
    "shift": "id operator_id alias_id started_at ended_at heartbeat_at start_mark end_mark",
    "handover": "id alias_id author_id written_at summary content corrects_id automatic",
    "handover_ack": "handover_id operator_id acknowledged_at",
    "inbound_message": "id alias_id channel_message_id author_handle text received_at channel",
    "post": "id alias_id author_id approver_id text in_reply_to_id status attempts created_at "
    "published_at channel_post_id guide_version overrides content_salt channel",
    "post_attempt": "id post_id number dispatcher started_at finished_at outcome detail",
    "contact_thread": "id alias_id contact_handle last_inbound_id last_activity_at "
    "waiting_since unanswered message_count state",
    "claim": "alias_id contact_handle operator_id claimed_at expires_at",
    # As storage's contact_seen keeps them (each thread's contact takes its id, as in 0018).
    "contact": "id alias_id display_name first_contact_at last_contact_at relevancy",
    "contact_rating": "id contact_id alias_id facet value reason rated_by rated_at",
    "contact_handle": "alias_id handle contact_id",
    "audit_event": "seq occurred_at kind actor_id alias_id subject details prev_hash hash "
    "content_ref content",
    "content_hashing_start": "name first_id",
}
_BATCH = 20_000
# canonical_details, without its per-call setup: the audit's details exactly as the product writes.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
_STRING: Callable[[str], str] = json.encoder.encode_basestring


class _Tables:
    """Rows buffered per table and handed to the sink in batches."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.stamp = sink.stamp
        self._rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in COLUMNS}
        self.counts: dict[str, int] = dict.fromkeys(COLUMNS, 0)

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        rows = self._rows[table]
        rows.append(row)
        if len(rows) >= _BATCH:
            self.flush(table)

    def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self._rows):
            if self._rows[name]:
                self.counts[name] += len(self._rows[name])
                self.sink.rows(name, COLUMNS[name].split(), self._rows[name])
                self._rows[name] = []


@dataclass(frozen=True)
class _Reply:
    created: float
    shift: int  # index into the population's shifts
    approver: int | None
    approved: float | None
    published: float


class _Thread:
    """One contact's thread, kept as storage's refresh_thread computes it."""

    __slots__ = ("answered", "count", "first_t", "id", "last_id", "last_reply", "last_t", "waiting")

    def __init__(self, number: int) -> None:
        self.id, self.count, self.last_id, self.last_t = number, 0, 0, 0.0
        self.first_t = 0.0
        self.answered, self.last_reply = 0, 0.0
        self.waiting: list[tuple[int, float]] = []  # messages newer than the last one answered


def build(sink: Sink, scale_name: str, rng: random.Random | None = None) -> Facts:
    """Write the whole workspace of the named scale into `sink`; return what benchmarks need."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as audit_file:
        simulation = _Simulation(SCALES[scale_name], _Tables(sink), rng or random.Random(8))
        simulation.run(audit_file)
        audit_file.seek(0)
        simulation.chain(audit_file)
        return simulation.facts(scale_name)


class _Simulation:
    def __init__(self, scale: Scale, tables: _Tables, rng: random.Random) -> None:
        self.scale, self.tables, self.rng = scale, tables, rng
        self.pop = Population(scale, NOW, rng)
        self.now = self.pop.now
        self.roles = {(o, a.id): role for a in self.pop.aliases for o, role in a.members}
        self.leads = {a.id: next(o for o, r in a.members if r == "lead") for a in self.pop.aliases}
        by_alias: dict[int, list[int]] = {a.id: [] for a in self.pop.aliases}
        for index, shift in enumerate(self.pop.shifts):
            by_alias[shift.alias].append(index)
        self.alias_shifts = by_alias
        self.alias_starts = {a: [self.pop.shifts[i].start for i in s] for a, s in by_alias.items()}
        self.heap: list[tuple[float, int, Callable[..., None], tuple[Any, ...]]] = []
        self.order = itertools.count()
        self.clock = 0.0
        self.ids = {name: itertools.count(1) for name in ("inbound", "post", "handover", "thread")}
        self.salts = random.Random(80)
        self.threads: dict[int, dict[str, _Thread]] = {a.id: {} for a in self.pop.aliases}
        self.recent: dict[int, deque[tuple[str, str]]] = {
            a.id: deque(maxlen=6) for a in self.pop.aliases
        }
        self.newest_handover: dict[int, int] = dict.fromkeys(by_alias, 0)
        self.handovers: dict[int, list[tuple[int, int]]] = {a: [] for a in by_alias}
        self.last_end_mark: dict[tuple[int, int], int] = {}
        self.guide_read: set[tuple[int, int]] = set()
        self.marks: dict[int, int] = {}
        self.replies = 0
        self.recent_posts: dict[int, int] = {}
        self.audited = 0
        self._audit: IO[str] | None = None

    # The timeline -------------------------------------------------------------------------

    def at(self, moment: float, action: Callable[..., None], *args: Any) -> None:
        assert moment >= self.clock, (moment, self.clock, action)
        heapq.heappush(self.heap, (moment, next(self.order), action, args))

    def drain(self, until: float) -> None:
        while self.heap and self.heap[0][0] <= until:
            moment, _, action, args = heapq.heappop(self.heap)
            self.clock = moment
            action(moment, *args)

    def audit(
        self,
        moment: float,
        kind: str,
        actor: int | None,
        alias: int | None,
        subject: str,
        details: dict[str, object] | str | None = None,
        content: tuple[str, str] = ("", ""),
    ) -> None:
        """Append an event to the timeline's audit; `details` may come already encoded;
        `content` is the row the event records (`post 12`) and its stamp, if it records one."""
        assert self._audit is not None
        if isinstance(details, dict):
            details = _CANONICAL(details)
        who = "" if actor is None else actor
        where = "" if alias is None else alias
        self._audit.write(
            f"{moment!r}\t{kind}\t{who}\t{where}\t{subject}\t{details or '{}'}\t"
            f"{content[0]}\t{content[1]}\n"
        )
        self.audited += 1

    def run(self, audit_file: IO[str]) -> None:
        self._audit = audit_file
        self._people()
        scale = self.scale
        standalone = round(scale.posts * STANDALONE_SHARE)
        wanted = scale.posts - standalone
        self._announcements(standalone)
        counts = self.pop.daily_messages()
        pools = [max(20, sum(days) // 8) for days in counts]
        one_offs = list(pools)
        generated = 0
        for day in range(scale.days):
            todays = sorted(
                (moment, alias.id)
                for alias in self.pop.aliases
                for moment in self.pop.message_times(alias, day, counts[alias.id - 1][day])
            )
            generated += len(todays)
            future = scale.inbound - generated
            plans = [self._plan(alias, moment) for moment, alias in todays]
            answerable = sum(plan is not None for plan in plans)
            for (moment, alias), plan in zip(todays, plans, strict=True):
                self.drain(moment)
                if self.rng.random() < ONE_OFF_SHARE:
                    number = one_offs[alias - 1]
                    one_offs[alias - 1] += 1
                else:
                    number = int(pools[alias - 1] * self.rng.random() ** 1.7)
                handle = corpus.contact(alias, number)
                message = self._message(moment, alias, handle)
                if plan is None:
                    continue
                # Selection sampling: exactly `wanted` replies, spread over the whole history.
                if self.rng.random() * (answerable + future) < wanted - self.replies:
                    self.replies += 1
                    self.at(plan.created, self._post, alias, plan, message, handle)
                answerable -= 1
            self.drain(self.pop.day_start(day + 1) - 1e-6)
        self.drain(math.inf)
        assert self.replies == wanted, (self.replies, wanted)
        self._open_shifts_and_claims()
        self._write_threads()
        self.tables.flush()

    # People, aliases and their guides ---------------------------------------------------------

    def _people(self) -> None:
        stamp, add = self.tables.stamp, self.tables.add
        digest = hash_passphrase(PASSPHRASE)  # once: scrypt is slow on purpose
        for operator in self.pop.operators:
            person, left = operator.person, operator.left
            added = operator.joined - 3600
            add(
                "operator",
                (
                    operator.id,
                    person.name,
                    person.display_name,
                    person.initials,
                    digest,
                    left is None,
                    stamp(added),
                    None if left is None else stamp(left),
                ),
            )
            self.at(
                added,
                self._audit_only,
                "operator.added",
                None,
                None,
                person.name,
                {"by": "admin"},
                (f"operator {operator.id}", operator_stamp(person.name, person.display_name)),
            )
            if left is not None:
                self.at(
                    left,
                    self._audit_only,
                    "operator.deactivated",
                    None,
                    None,
                    person.name,
                    {"reason": "left the agency", "by": "admin"},
                )
        for alias in self.pop.aliases:
            add(
                "alias",
                (
                    alias.id,
                    alias.handle,
                    alias.display_name,
                    alias.language,
                    "sandbox",
                    alias.signature,
                    "",
                    stamp(alias.created),
                ),
            )
            add("alias_channel", (alias.id, "sandbox", stamp(alias.created)))
            self.at(
                alias.created,
                self._audit_only,
                "alias.added",
                None,
                alias.id,
                alias.handle,
                {"display_name": alias.display_name, "channel": "sandbox", "by": "admin"},
            )
            source = _GUIDES / ("bellehelene.toml" if alias.language == "fr" else "acmehelp.toml")
            text = source.read_text(encoding="utf-8")
            rules = len(parse_guide(text, source.name).rules)
            lead = self.leads[alias.id]
            add(
                "guide_version",
                (alias.id, alias.id, 1, text, "first version", lead, stamp(alias.created + 1800)),
            )
            self.at(
                alias.created + 1800,
                self._audit_only,
                "guide.version_created",
                lead,
                alias.id,
                "guide v1",
                {"note": "first version", "rules": rules, "by": None},
                (f"guide_version {alias.id}.1", guide_stamp(alias.id, 1, text)),
            )
            for member, role in alias.members:
                add("membership", (member, alias.id, role))
                granted = max(alias.created, self.pop.operators[member - 1].joined) + 600
                name = self.pop.operators[member - 1].person.name
                self.at(
                    granted,
                    self._audit_only,
                    "role.granted",
                    None,
                    alias.id,
                    name,
                    {"role": role, "previous": None, "by": "admin"},
                )
        for index, shift in enumerate(self.pop.shifts):
            self.at(shift.start, self._shift_started, index)
            if shift.end < self.now:
                self.at(shift.end, self._shift_ended, index)
        ended = [i for i, shift in enumerate(self.pop.shifts) if shift.end < self.now]
        assert len(ended) >= self.scale.handovers, (len(ended), self.scale.handovers)
        for index in self.rng.sample(ended, self.scale.handovers):
            shift = self.pop.shifts[index]
            self.at(shift.end - self.rng.uniform(120, 480), self._handover, index)

    def _audit_only(self, moment: float, *event: Any) -> None:
        self.audit(moment, *event)

    # Shifts and handovers ---------------------------------------------------------------------

    def _shift_started(self, moment: float, index: int) -> None:
        shift = self.pop.shifts[index]
        operator, alias = shift.operator, shift.alias
        mark = self.newest_handover[alias]
        self.marks[index] = mark
        self.audit(
            moment,
            "shift.started",
            operator,
            alias,
            f"shift {index + 1}",
            {"role": self.roles[operator, alias]},
        )
        # What the handover gate makes them read: others' handovers since their last shift.
        previous = self.last_end_mark.get((operator, alias))
        written = self.handovers[alias]
        first = bisect.bisect_right(written, (previous or 0, math.inf))
        last = bisect.bisect_right(written, (mark, math.inf))
        pending = [h for h, author in written[first:last] if author != operator]
        if previous is None:
            pending = pending[-3:]
        later = moment + 30
        if (operator, alias) not in self.guide_read:
            self.guide_read.add((operator, alias))
            self.at(later, self._guide_read, operator, alias)
        for handover in pending:
            later += self.rng.uniform(20, 120)
            self.at(later, self._acknowledged, handover, operator, alias)

    def _guide_read(self, moment: float, operator: int, alias: int) -> None:
        self.tables.add("guide_ack", (alias, operator, 1, self.tables.stamp(moment)))
        self.audit(moment, "guide.acknowledged", operator, alias, "guide v1")

    def _acknowledged(self, moment: float, handover: int, operator: int, alias: int) -> None:
        self.tables.add("handover_ack", (handover, operator, self.tables.stamp(moment)))
        self.audit(moment, "handover.acknowledged", operator, alias, f"handover {handover}")

    def _handover(self, moment: float, index: int) -> None:
        shift = self.pop.shifts[index]
        alias = self.pop.aliases[shift.alias - 1]
        number = next(self.ids["handover"])
        waiting = [f"{who}: {text[:80]}" for who, text in list(self.recent[alias.id])[-3:]]
        mood = self.rng.choice(corpus.MOODS[alias.language])
        if alias.language == "fr":
            summary = f"Service {mood}, {len(waiting)} conversations à reprendre."
            promises = "Rappeler les clients en attente de remboursement avant midi."
        else:
            summary = f"Shift was {mood}, {len(waiting)} conversations to pick up."
            promises = "Call back the customers waiting for a refund before noon."
        content = HandoverContent(
            open_threads=tuple(waiting),
            people_to_watch=waiting[0][:40] if waiting else "",
            promises=promises,
            mood=mood,
        )
        stored = json.dumps(asdict(content), ensure_ascii=False, sort_keys=True)
        self.tables.add(
            "handover",
            (
                number,
                alias.id,
                shift.operator,
                self.tables.stamp(moment),
                summary,
                stored,
                None,
                False,
            ),
        )
        self.newest_handover[alias.id] = number
        self.handovers[alias.id].append((number, shift.operator))
        self.audit(
            moment,
            "handover.written",
            shift.operator,
            alias.id,
            f"handover {number}",
            {"summary": summary, "corrects": None, "automatic": False},
            (f"handover {number}", handover_stamp(shift.operator, summary, stored, None)),
        )

    def _shift_ended(self, moment: float, index: int) -> None:
        shift = self.pop.shifts[index]
        mark = self.newest_handover[shift.alias]
        self.last_end_mark[shift.operator, shift.alias] = mark
        stamp = self.tables.stamp
        self.tables.add(
            "shift",
            (
                index + 1,
                shift.operator,
                shift.alias,
                stamp(shift.start),
                stamp(moment),
                stamp(moment - self.rng.uniform(0, 50)),
                self.marks.pop(index),
                mark,
            ),
        )
        self.audit(moment, "shift.ended", shift.operator, shift.alias, f"shift {index + 1}")

    # Messages and posts -----------------------------------------------------------------------

    def _plan(self, alias: int, moment: float) -> _Reply | None:
        """When, and by whom, a message would be answered; None if not before now."""
        rng, shifts, starts = self.rng, self.pop.shifts, self.alias_starts[alias]
        indexes = self.alias_shifts[alias]
        after = bisect.bisect_right(starts, moment)
        covering = [
            indexes[k] for k in range(max(0, after - 3), after) if shifts[indexes[k]].end > moment
        ]
        if covering:
            index = rng.choice(covering)
            created = moment + min(rng.lognormvariate(math.log(600), 0.9), 4 * 3600)
        elif after < len(indexes):
            index = indexes[after]
            created = shifts[index].start + rng.uniform(120, 3600)  # the morning's backlog
        else:
            return None
        shift = shifts[index]
        created = max(moment + 30, min(created, shift.end - 60))
        approver = approved = None
        if self.roles[shift.operator, alias] == "trainee":
            approver = self.leads[alias]
            approved = created + rng.uniform(180, 1800)
            published = approved + rng.uniform(1, 4)
        else:
            published = created + rng.uniform(1, 4)
        if published >= self.now:
            return None
        return _Reply(created, index, approver, approved, published)

    def _message(self, moment: float, alias: int, handle: str) -> int:
        number = next(self.ids["inbound"])
        language = self.pop.aliases[alias - 1].language
        if self.rng.random() < 0.1:
            language = "en" if language == "fr" else "fr"
        text = corpus.inbound(self.rng, language, self.pop.aliases[alias - 1].handle)
        self.tables.add(
            "inbound_message",
            (
                number,
                alias,
                str(_MESSAGE_IDS + number),
                handle,
                text,
                self.tables.stamp(moment),
                "sandbox",
            ),
        )
        thread = self.threads[alias].get(handle)
        if thread is None:
            thread = self.threads[alias][handle] = _Thread(next(self.ids["thread"]))
            thread.first_t = moment
        thread.count += 1
        thread.last_id, thread.last_t = number, moment
        thread.waiting.append((number, moment))
        self.recent[alias].append((handle, text))
        return number

    def _announcements(self, count: int) -> None:
        shifts = self.pop.shifts
        weights = [
            0.0
            if self.roles[s.operator, s.alias] == "trainee"
            else max(0.0, min(s.end, self.now - 900) - s.start - 1200)
            for s in shifts
        ]
        for index in self.rng.choices(range(len(shifts)), weights, k=count):
            shift = shifts[index]
            created = self.rng.uniform(shift.start + 600, min(shift.end, self.now - 900) - 600)
            plan = _Reply(created, index, None, None, created + self.rng.uniform(1, 4))
            self.at(created, self._post, shift.alias, plan, None, None)

    def _post(
        self, moment: float, alias: int, plan: _Reply, message: int | None, handle: str | None
    ) -> None:
        number = next(self.ids["post"])
        shift = self.pop.shifts[plan.shift]
        language = self.pop.aliases[alias - 1].language
        if handle is None:
            text = corpus.news(self.rng, language)
        else:
            text = corpus.reply(self.rng, language, handle)
        stamp, add = self.tables.stamp, self.tables.add
        channel_id = str(_POST_IDS + number)
        # Salts from their own generator: the timeline's draws stay what they were.
        salt = f"{self.salts.getrandbits(128):032x}"
        add(
            "post",
            (
                number,
                alias,
                shift.operator,
                plan.approver,
                text,
                message,
                "published",
                1,
                stamp(moment),
                stamp(plan.published),
                channel_id,
                1,
                "{}",
                salt,
                "sandbox",
            ),
        )
        add(
            "post_attempt",
            (
                number,
                number,
                1,
                DISPATCHER,
                stamp(plan.published - 0.8),
                stamp(plan.published),
                "published",
                channel_id,
            ),
        )
        kind = "post.queued" if plan.approver is None else "post.awaiting_approval"
        replied = None if message is None else str(_MESSAGE_IDS + message)
        self.audit(
            moment,
            kind,
            shift.operator,
            alias,
            f"post {number}",
            queued_details(replied, plan.shift + 1),
            (f"post {number}", post_stamp(salt, text, shift.operator, None)),
        )
        final = (f"post {number}", post_stamp(salt, text, shift.operator, plan.approver))
        if message is not None and handle is not None:
            thread = self.threads[alias][handle]
            if message > thread.answered:
                thread.answered = message
                thread.waiting = [w for w in thread.waiting if w[0] > message]
            thread.last_reply = max(thread.last_reply, moment)
        if alias == 1 and moment >= self.now - 30 * DAY:
            self.recent_posts[shift.operator] = self.recent_posts.get(shift.operator, 0) + 1
        if plan.approver is not None and plan.approved is not None:
            self.at(
                plan.approved,
                self._audit_only,
                "post.approved",
                plan.approver,
                alias,
                f"post {number}",
                {"author": shift.operator},
                final,
            )
        name = self.pop.operators[shift.operator - 1].person.name
        details = published_details(plan.approver, name, channel_id)
        self.at(
            plan.published,
            self._audit_only,
            "post.published",
            shift.operator,
            alias,
            f"post {number}",
            details,
            final,
        )

    # What is still going on now ---------------------------------------------------------------

    def _open_shifts_and_claims(self) -> None:
        stamp = self.tables.stamp
        claimed: set[tuple[int, str]] = set()
        for index, shift in enumerate(self.pop.shifts):
            if shift.end < self.now:
                continue
            self.tables.add(
                "shift",
                (
                    index + 1,
                    shift.operator,
                    shift.alias,
                    stamp(shift.start),
                    None,
                    stamp(self.now - 30),
                    self.marks.pop(index),
                    None,
                ),
            )
            # Whoever is on shift is answering a contact or two: those claims are live now.
            waiting = [
                (thread.last_t, handle)
                for handle, thread in self.threads[shift.alias].items()
                if thread.waiting and (shift.alias, handle) not in claimed
            ]
            for _, handle in heapq.nlargest(2, waiting):
                claimed.add((shift.alias, handle))
                self.tables.add(
                    "claim",
                    (
                        shift.alias,
                        handle,
                        shift.operator,
                        stamp(self.now - self.rng.uniform(20, 200)),
                        stamp(self.now + self.rng.uniform(60, 280)),
                    ),
                )

    def _write_threads(self) -> None:
        stamp = self.tables.stamp
        rows = []
        for alias, threads in self.threads.items():
            for handle, t in threads.items():
                waiting_since = t.waiting[0][1] if t.waiting else None
                rows.append(
                    (
                        t.id,
                        alias,
                        handle,
                        t.last_id,
                        stamp(max(t.last_t, t.last_reply)),
                        None if waiting_since is None else stamp(waiting_since),
                        waiting_since is not None,
                        t.count,
                        # domain.triage.thread_state: nothing here is closed, handed or awaiting
                        "answered" if waiting_since is None else "open" if t.answered else "new",
                    )
                )
        rows.sort()
        for row in rows:
            self.tables.add("contact_thread", row)
        contacts = sorted(
            (t.id, alias, handle, t.first_t, t.last_t)
            for alias, threads in self.threads.items()
            for handle, t in threads.items()
        )
        rated: list[tuple[Any, ...]] = []
        for number, alias, _, first, last in contacts:
            value = 1 + number // RATED_EVERY % 5 if number % RATED_EVERY == 0 else None
            self.tables.add("contact", (number, alias, "", stamp(first), stamp(last), value))
            if value is not None:
                rated.append(
                    (len(rated) + 1, number, alias, "relevancy", value, "", 1, stamp(last))
                )
        self.tables.flush("contact")
        for row in rated:
            self.tables.add("contact_rating", row)
        for number, alias, handle, _, _ in contacts:
            self.tables.add("contact_handle", (alias, handle, number))

    # The audit chain --------------------------------------------------------------------------

    def chain(self, lines: IO[str]) -> None:
        """Link the newest `scale.audit` events into a chain from the genesis hash."""
        skip = self.audited - self.scale.audit
        assert skip >= 0, (self.audited, self.scale.audit)
        # Content hashing began with the chain: each table's rows from the first after the
        # newest one made before the chain are all stamped there; verify counts the older ones.
        created: dict[str, set[int]] = {table: set() for table in _CREATING.values()}
        for row in chained(itertools.islice(lines, skip, None)):
            self.tables.add("audit_event", row)
            table = _CREATING.get(row[2])
            if table is not None and row[9] is not None:
                created[table].add(self._row_id(row[9]))
        counts = {
            "post": self.scale.posts,
            "handover": self.scale.handovers,
            "operator": len(self.pop.operators),
            "guide_version": len(self.pop.aliases),
        }
        self.tables.add("content_hashing_start", ("audit_event", 1))
        for table, count in counts.items():
            older = [i for i in range(1, count + 1) if i not in created[table]]
            self.tables.add("content_hashing_start", (table, max(older, default=0) + 1))
        self.tables.flush()

    @staticmethod
    def _row_id(ref: str) -> int:
        """The id of the row a stamp names; a guide version's row id is its alias's here."""
        key = ref.partition(" ")[2]
        return int(key.partition(".")[0])

    def facts(self, scale: str) -> Facts:
        alias = self.pop.aliases[0]
        busiest = max(self.recent_posts, key=lambda o: (self.recent_posts[o], -o))
        counts = dict(self.tables.counts)
        return Facts(
            scale=scale,
            now=NOW.isoformat(),
            alias_id=alias.id,
            alias_handle=alias.handle,
            lead=self.pop.operators[0].person.name,
            passphrase=PASSPHRASE,
            author=self.pop.operators[busiest - 1].person.name,
            searched=SEARCHED,
            counts=counts,
        )


def queued_details(in_reply_to: str | None, shift: int) -> str:
    """canonical_details of a post.queued event, written out: posts are most of the audit. Like
    the program's, it holds no text (the stamp holds its salted hash)."""
    replied = "null" if in_reply_to is None else f'"{in_reply_to}"'
    return f'{{"guide_version":1,"in_reply_to":{replied},"overrides":{{}},"shift":{shift}}}'


def published_details(approver: int | None, author: str, channel_id: str) -> str:
    """canonical_details of a post.published event, written out."""
    return (
        f'{{"approver":{"null" if approver is None else approver},"author":{_STRING(author)},'
        f'"by":"{DISPATCHER}","channel_post_id":"{channel_id}"}}'
    )


# The events that make the row they stamp (the first stamp a row gets).
_CREATING = {
    "operator.added": "operator",
    "guide.version_created": "guide_version",
    "handover.written": "handover",
    "post.queued": "post",
    "post.awaiting_approval": "post",
}


def chained(lines: Iterator[str]) -> Iterator[tuple[Any, ...]]:
    """Audit rows from `time, kind, actor, alias, subject, details, row, stamp` lines, hashed
    in order."""
    prev = GENESIS_HASH
    occurred = timestamp_formatter("T", "Z")
    for seq, line in enumerate(lines, start=1):
        moment, kind, actor, alias, subject, details, row, content = line.rstrip("\n").split("\t")
        stamped = occurred(float(moment))
        actor_id = int(actor) if actor else None
        alias_id = int(alias) if alias else None
        ref, content_or_none = (row, content) if content else (None, None)
        digest = record_hash(
            record(
                seq, stamped, kind, actor_id, alias_id, subject, details, prev, ref,
                content_or_none,
            )
        )  # fmt: skip
        yield (
            seq, stamped, kind, actor_id, alias_id, subject, details, prev, digest, ref,
            content_or_none,
        )  # fmt: skip
        prev = digest


_CLOCK = [f"{h:02d}:{m:02d}:{s:02d}." for h in range(24) for m in range(60) for s in range(60)]


def timestamp_formatter(separator: str, suffix: str) -> Callable[[float], str]:
    """A fast UTC formatter for epoch seconds: `YYYY-MM-DD{separator}HH:MM:SS.ffffff{suffix}`."""
    days: dict[int, str] = {}

    def formatted(moment: float) -> str:
        seconds, micro = divmod(round(moment * 1_000_000), 1_000_000)
        day, second = divmod(seconds, 86_400)
        prefix = days.get(day)
        if prefix is None:
            at = datetime.fromtimestamp(day * 86_400, UTC)
            prefix = days[day] = at.strftime("%Y-%m-%d") + separator
        return f"{prefix}{_CLOCK[second]}{micro:06d}{suffix}"

    return formatted
