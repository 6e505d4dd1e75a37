"""Errors the services raise: each carries a message meant for the person at the keyboard."""


class CmconsoleError(Exception):
    """Base of every error that is shown to the user as a message, not a traceback."""


class InvalidInput(CmconsoleError):
    """What the user typed or passed cannot be used as it is."""


class NotFound(CmconsoleError):
    """An operator, alias, message or post named by the user does not exist."""


class AlreadyExists(CmconsoleError):
    """Something with that name exists already."""


class SignInRefused(CmconsoleError):
    """Wrong passphrase, unknown operator or deactivated account."""


class PermissionDenied(CmconsoleError):
    """The signed-in operator may not do this on this alias."""


class SignInRequired(PermissionDenied):
    """The workspace has a lead: changing people, roles, guides or credentials, or reading
    others' audit, needs a signed-in person."""


class ConcurrentChange(CmconsoleError):
    """Another console changed the same thing at the same moment; nothing was saved."""


class WorkspaceUnavailable(CmconsoleError):
    """The workspace database cannot be reached or opened."""


class WorkspaceMissing(WorkspaceUnavailable):
    """There is no workspace file where one was asked for; only `init`, the demo or the
    console's first run create one."""


class HandoversUnread(PermissionDenied):
    """The operator must acknowledge the handovers others left (and the guide) before speaking."""

    def __init__(self, count: int, handle: str, *, guide: bool = False) -> None:
        what = (
            [f"the {count} handover{'s' if count != 1 else ''} left on {handle}"] if count else []
        )
        what += [f"the guide of {handle}"] if guide else []
        super().__init__(f"read and acknowledge {' and '.join(what)} before you speak for it")
        self.count = count
        self.guide = guide
