"""Keys handled one at a time, each to its end, so a burst lands where slow typing would."""

from __future__ import annotations

from collections import deque
from typing import TypeVar

from textual import events
from textual.app import App
from textual.message import Message
from textual.message_pump import MessagePump
from textual.timer import Timer

ReturnType = TypeVar("ReturnType")

# A key's consequences may post further messages (Input.Submitted, then a focus change queued on
# the app): the key counts as handled once its path is quiet, looked at this many times at most.
MAX_ROUNDS = 8


class KeyHandled(Message):
    """Sent behind a key to the widget it went to; bubbles to the app after the key did."""

    def __init__(self, key_target: MessagePump, rounds: int, key_number: int) -> None:
        super().__init__()
        self.key_target = key_target
        self.key_number = key_number
        self.rounds = rounds


class KeysInOrder(App[ReturnType]):
    """Textual hands a key to the focused widget by queueing it there and goes straight on to the
    next key; a key no widget takes bubbles back to the app, whose bindings (tab: focus the next
    field) then run only after the rest of the burst was already handed to the first field.
    Here the next key waits until the previous one, its binding and what they posted are done."""

    def __init__(self) -> None:
        super().__init__()
        self._keys_waiting: deque[events.Key | events.Paste] = deque()
        self._key_in_flight: MessagePump | None = None
        self._watchdog: Timer | None = None
        self._keys_sent = 0

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            self._keys_waiting.append(event)
            if not self._key_in_flight:
                await self._next_key()
            return
        await super().on_event(event)

    async def _next_key(self) -> None:
        while self._keys_waiting:
            event = self._keys_waiting.popleft()
            await super().on_event(event)
            if not event.is_forwarded:
                continue  # a priority binding took it here, to its end
            self._keys_sent += 1
            self._follow(self.focused or self.screen, 0)
            return
        self._key_in_flight = None

    def _follow(self, target: MessagePump, rounds: int) -> None:
        self._key_in_flight = target
        if not target.post_message(KeyHandled(target, rounds, self._keys_sent)):
            # The widget has gone, and its key with it.
            self.post_message(KeyHandled(self, MAX_ROUNDS, self._keys_sent))
        elif self._watchdog is None:
            self._watchdog = self.set_interval(0.2, self._check_key_target)

    async def _check_key_target(self) -> None:
        # A widget removed by its key (a dialog dismissed) drops what was queued to it.
        target = self._key_in_flight
        if target is not None and (target._closing or target._closed):
            self._keys_sent += 1
            await self._next_key()

    async def _on_key_handled(self, message: KeyHandled) -> None:
        message.stop()
        if message.key_number != self._keys_sent or self._key_in_flight is None:
            return  # its key was given up on when its widget went
        if message.rounds < MAX_ROUNDS and not self._path_is_quiet(message.key_target):
            self._follow(message.key_target, message.rounds + 1)
            return
        await self._next_key()

    def _path_is_quiet(self, target: MessagePump) -> bool:
        node: MessagePump | None = target
        while node is not None:
            if not node._message_queue.empty():
                return False
            node = node._parent
        return True
