"""Reports for leads: how fast and how well an alias answers over a period, per operator and
per shift. Leads see everyone's numbers; anyone else sees their own."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from cmconsole.domain.business_hours import parse_hours
from cmconsole.domain.errors import InvalidInput, NotFound
from cmconsole.domain.model import Role
from cmconsole.domain.voice import drift, profile
from cmconsole.services import report_figures as count
from cmconsole.services.authority import administrator
from cmconsole.services.guard import SignedIn, active_operator, existing_alias, role_on
from cmconsole.services.ports import AuditDraft, Clock, Workspace
from cmconsole.services.report_model import Report, ShiftFigures, VoiceWeek
from cmconsole.services.voice import HISTORY, RECENT

LONGEST = 366  # days a report may cover
TEAM = "team"


class ReportService:
    def __init__(self, workspace: Workspace, clock: Clock) -> None:
        self._workspace = workspace
        self._clock = clock

    def set_hours(
        self, who: SignedIn | None, handle: str, hours: str, target_minutes: int | None
    ) -> tuple[str, int | None]:
        """Set when the alias is staffed and its reply-time target (a lead of it does)."""
        parsed = parse_hours(hours)
        if target_minutes is not None and not 0 < target_minutes <= 7 * 24 * 60:
            raise InvalidInput("the target must be between 1 minute and a week (10080 minutes)")
        with self._workspace.transaction() as tx:
            alias = tx.aliases.by_handle(handle)
            if alias is None:
                raise NotFound(f"there is no alias {handle}")
            actor = administrator(tx, who, "set its business hours", alias)
            written = "" if parsed.always else parsed.describe()
            tx.reports.set_hours(alias.id, written, target_minutes)
            tx.audit.append(
                AuditDraft(
                    "alias.hours_set",
                    actor.id if actor else None,
                    alias.id,
                    alias.handle,
                    {"business_hours": written or "always", "target_minutes": target_minutes},
                ),
                self._clock(),
            )
        return written or "always", target_minutes

    def report(self, who: SignedIn, alias_id: int, since: date, until: date) -> Report:
        """The alias's report from `since` to `until` (both days included, in its time zone)."""
        if until < since:
            raise InvalidInput(f"the period ends ({until}) before it starts ({since})")
        if (until - since).days >= LONGEST:
            raise InvalidInput(f"a report covers at most {LONGEST} days")
        with self._workspace.reading() as tx:
            me = active_operator(tx, who)
            alias = existing_alias(tx, alias_id)
            lead = role_on(tx, me, alias) is Role.LEAD
            zone = alias.time_zone
            start = count.day_start(since, zone)
            end = count.day_start(until + timedelta(days=1), zone)
            written, target = tx.reports.hours(alias.id)
            hours = parse_hours(written)
            messages = tx.reports.messages(alias.id, start, end)
            replies, texts = tx.reports.replies(alias.id, start, end)
            rows = count.Rows(
                messages,
                replies,
                tx.reports.closes(alias.id, start, end),
                tx.reports.reviewed(alias.id, start, end),
                count.first_replies(messages, replies, hours, zone),
            )
            names = {operator.id: operator.name for operator in tx.operators.all()}
            members = [operator.id for operator, _ in tx.memberships.for_alias(alias.id)]
            shifts = tx.reports.shifts(alias.id, start, end)
            history = tx.reports.history(alias.id, HISTORY)
        people_rows = count.split_by_operator(rows)
        shift_counts = count.Shifts(rows, people_rows)
        seen = set(members) | {reply[0] for reply in replies} | {c[1] for c in rows.closes if c[1]}
        people = sorted(seen, key=lambda person: names.get(person, "?")) if lead else [me.id]
        visible = rows if lead else people_rows.get(me.id, count.EMPTY)
        return Report(
            alias=alias.handle,
            since=since,
            until=until,
            time_zone=zone,
            business_hours=hours.describe(),
            target_minutes=target,
            scope=TEAM if lead else me.name,
            team=count.figures(alias.handle, len(messages), rows, target) if lead else None,
            operators=[
                count.figures(
                    names.get(person, "?"), None, people_rows.get(person, count.EMPTY), target
                )
                for person in people
            ],
            shifts=[
                ShiftFigures(
                    names.get(operator, "?"),
                    started,
                    ended,
                    shift_counts.figures(
                        operator, max(started, start), min(ended or end, end), target
                    ),
                )
                for _, operator, started, ended in shifts
                if lead or operator == me.id
            ],
            days=count.days(rows, since, until, zone),
            hours=count.by_hour(visible.first, zone),
            voice=_voice(history, texts, people, names, zone),
        )


def _voice(
    history: list[str],
    texts: list[tuple[int, datetime, str]],
    people: list[int],
    names: dict[int, str],
    zone: str,
) -> list[VoiceWeek]:
    """Each operator's drift from the alias's voice, week by week (weeks start on Monday)."""
    alias_profile = profile(history, top=0)  # its words are not shown
    tz = ZoneInfo(zone)
    weekly: dict[tuple[int, date], list[str]] = {}
    for author, at, text in sorted(texts, key=lambda row: row[1]):
        local = at.astimezone(tz).date()
        weekly.setdefault((author, local - timedelta(days=local.weekday())), []).append(text)
    wanted = set(people)
    return [
        VoiceWeek(
            names.get(author, "?"),
            week,
            len(said),
            # The existing measure: the week's newest replies (at most RECENT) against the alias.
            [found.dimension for found in drift(alias_profile, said[-RECENT:])],
        )
        for (author, week), said in sorted(
            weekly.items(), key=lambda item: (names.get(item[0][0], "?"), item[0][1])
        )
        if author in wanted
    ]
