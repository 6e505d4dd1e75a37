"""Running the team: the console, and the dispatcher that fetches and publishes."""

import time
from typing import TYPE_CHECKING

import click

from cmconsole.cli.common import FIRST_RUN, db_option, said_goodbye, workspace
from cmconsole.cli.text import inert
from cmconsole.domain.errors import ConcurrentChange, WorkspaceUnavailable

if TYPE_CHECKING:
    from cmconsole.services.bundle import Services


def console(db: str | None, no_dispatch: bool) -> None:
    """Open the console on the workspace; a new one says how to set it up."""
    from cmconsole.tui.app import run_console

    def open_console() -> "Services | str":
        from cmconsole.wiring import open_services, workspace_url

        services = open_services(workspace_url(db))  # creates it: the first run sets it up
        try:
            empty = services.accounts.is_empty()
        except BaseException:
            services.close()
            raise
        if empty:
            services.close()
            return FIRST_RUN.format(location=services.location)
        return services

    # The sign-in screen shows at once; the workspace opens behind it.
    said_goodbye(*run_console(open_console, dispatches=not no_dispatch))


@click.command()
@click.option("--once", is_flag=True, help="One pass, then exit (for cron or a test).")
@click.option(
    "--interval", default=5.0, show_default=True, help="Seconds between passes.", type=float
)
@db_option
def dispatch(once: bool, interval: float, db: str | None) -> None:
    """Run the team's dispatcher: fetch mentions and publish the outbox for every alias.

    Run it on the one machine that holds the channel credentials; the consoles then only read
    and write the shared database. Several dispatchers may run at once: no post goes out twice.
    A database fault (a connection the server ended, a locked or failing file) is logged in one
    line and tried again after a short backoff. Stop it with Ctrl+C."""
    with workspace(db) as services:
        try:
            while True:
                try:
                    _dispatch_pass(services)
                except (WorkspaceUnavailable, ConcurrentChange) as error:
                    if once:
                        raise
                    wait = services.dispatcher.recover()
                    click.echo(f"database fault, trying again in {wait:.1f} s: {error}", err=True)
                    time.sleep(wait)
                    continue
                if once:
                    return
                time.sleep(interval)
        except KeyboardInterrupt:
            click.echo("dispatcher stopped")


def _dispatch_pass(services: "Services") -> None:
    """One pass of the pump the consoles run too: fetch mentions, then settle and send."""
    pumped = services.pump.run()
    for failure in pumped.sync_failures:
        click.echo(f"{failure.handle}: mentions not fetched: {inert(failure.reason)}", err=True)
    for handle, new in pumped.mentions.items():
        click.echo(f"{handle}: {new} new mention{'s' if new != 1 else ''}")
    report = pumped.dispatch
    # Channel ids and reasons are the channel's words: shown inert.
    for post in report.published:
        click.echo(f"post {post.id}: published as {inert(post.channel_post_id or '')}")
    for post in report.reconciled:
        outcome = "found published" if post.channel_post_id else "not published, queued again"
        click.echo(f"post {post.id}: outcome was unknown: {outcome}")
    for post in report.delayed:
        click.echo(f"post {post.id}: waiting: {inert(post.failure_reason or '')}")
    for post in report.failed:
        click.echo(f"post {post.id}: failed: {inert(post.failure_reason or '')}", err=True)
    for post in report.unknown:
        reason = inert(post.failure_reason or "")
        click.echo(f"post {post.id}: outcome unknown, checked again later: {reason}")
