"""The parts of an alias's desk that change apart, each with a version of its own."""

from enum import StrEnum


class DeskPane(StrEnum):
    """A part of the desk read together; a write moves the version of each part it changes."""

    CLAIMS = "claims"  # who answers whom (and when the first claim lapses)
    INBOX = "inbox"  # the page of threads and the waiting count
    OUTBOX = "outbox"  # posts not settled, replies awaiting approval, the public timeline
    AUDIT = "audit"  # the desk's audit list: events appended (read as those after the newest)
    LEDGER = "ledger"  # the audit list's past entries changed (a post's text they show)
    TEAM = "team"  # shifts, handovers, follow-ups due, the guide
    TRACKS = "tracks"  # the trainees' tracks
