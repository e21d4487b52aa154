"""Wall screens (issue 25): a lead or an admin approves the code a screen
shows, for one inspection; later disconnects the screen.

The route finds the pending code (`warroom.device_codes`) and names the hash
of its device code as the command's target: the display's id is derived
from it, so a code approved once cannot be approved again.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field

from commands.models import Command, Id, Name
from commands.run import Run
from warroom.domain.base import NotFound, RuleBroken
from warroom.domain.display import Display

# RFC 8628 section 6.1: consonants only (no words spelt by chance), and none
# that is read as another across a room (no vowels, so no 0/O or 1/I).
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
USER_CODE_LENGTH = 8


def normal_user_code(text: str) -> str:
    """The code as typed, any case, with or without its dash or spaces."""
    return re.sub(r"[\s-]", "", text).upper()


def _user_code(text: str) -> str:
    code = normal_user_code(text)
    if len(code) != USER_CODE_LENGTH or set(code) - set(USER_CODE_ALPHABET):
        raise ValueError(
            "the code is the eight letters the wall screen shows, such as BCDF-GHJK"
        )
    return code


UserCode = Annotated[str, Field(max_length=40), AfterValidator(_user_code)]


class ApproveDisplay(Command):
    """The wall screen showing this code may read and stream this inspection."""

    user_code: UserCode
    inspection_id: Id
    # What the lead calls the screen, to know it again in the list.
    name: Name = "Wall screen"


class DisconnectDisplay(Command):
    """The wall screen's token stops working, on every server process, its
    open stream too."""


def approve_display(run: Run, cmd: ApproveDisplay) -> None:
    inspection = run.inspection()  # open: a closed one takes no new screen
    assert run.target_id is not None  # the device code's hash
    if run.app.exists(Display.create_id(run.target_id)):
        raise RuleBroken(
            "display_code_used",
            "this code was already used: ask the wall screen for a new one",
        )
    display = Display(
        device_code_sha256=run.target_id,
        inspection_id=str(inspection.id),
        organisation_id=run.organisation_id,
        name=cmd.name,
        meta=run.ctx.meta(),
    )
    run.answer_with(display)
    run.extra.update(inspection_id=str(inspection.id), name=cmd.name)


def disconnect_display(run: Run, cmd: DisconnectDisplay) -> None:
    """Also on a closed inspection: a screen may always be turned away."""
    assert run.target_id is not None
    display = run.app.load(Display, run.target_id)
    if display.inspection_id != run.inspection_id:
        raise NotFound(f"no wall screen with id {run.target_id}")
    display.disconnect(run.ctx)
    run.answer_with(display)
