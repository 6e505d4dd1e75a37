"""The command line: set up a workspace, run the demo, read the audit, check drafts against a
guide and manage guides; launches the TUI lazily."""

from typing import Any

import click

# contact_lifecycle adds merge, unmerge, erase, export to `contact`; the other two add
# connect-mastodon and connect-bluesky to `alias`.
import cmconsole.cli.connect_bluesky
import cmconsole.cli.contact_lifecycle
import cmconsole.cli.mastodon  # noqa: F401
from cmconsole.cli import (
    announce,
    audit,
    check,
    contacts,
    guides,
    report,
    run,
    sandbox,
    saved,
    search,
    serve,
    setup,
    status,
)
from cmconsole.cli.common import db_option, fail
from cmconsole.domain.errors import CmconsoleError


class _Guarded(click.Group):
    """The command line's last line of defence: whatever a command did not expect ends in one
    line on stderr and exit 1, never a traceback (which may show paths, URLs or text)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except CmconsoleError as error:
            fail(str(error), 1)
        except OSError as error:
            where = f" ({error.filename})" if error.filename else ""
            fail(f"{error.strerror or type(error).__name__}{where}", 1)
        except Exception as error:
            import logging

            # The log is redacted (cmconsole.logs); the terminal gets only the kind.
            logging.getLogger("cmconsole").exception("unexpected error in a command")
            fail(f"unexpected {type(error).__name__}; nothing more was done", 1)


@click.group(cls=_Guarded, invoke_without_command=True)
@db_option
@click.option(
    "--no-dispatch",
    is_flag=True,
    envvar="CMCONSOLE_NO_DISPATCH",
    help="Leave fetching and publishing to a `cmconsole dispatch` process on another machine.",
)
@click.version_option(package_name="cmconsole")
@click.pass_context
def main(context: click.Context, db: str | None, no_dispatch: bool) -> None:
    """cmconsole: several people speaking as one brand. With no command, opens the console."""
    from cmconsole import logs

    logs.install()  # no credential in any log line, whatever logging is configured later
    if context.invoked_subcommand is not None:
        return
    run.console(db, no_dispatch)


setup.alias.add_command(report.set_hours)
for _command in (
    setup.demo,
    setup.init,
    setup.operator,
    setup.alias,
    setup.grant,
    audit.audit,
    check.check_command,
    guides.guide_group,
    sandbox.sandbox_group,
    run.dispatch,
    serve.serve,
    saved.saved_group,
    search.search,
    report.report,
    contacts.contact_group,
    announce.announce,
    announce.scheduled_group,
    status.status,
    setup.db_group,
):
    main.add_command(_command)
