"""Prompts in which every answer is a key the person pressed for it.

No answer is taken because a cursor happened to rest on it: a list opens with nothing pointed
at, and Enter on an untouched prompt only says what to press. A choice is made with its own key
(y, n, ? or its number, typed in full: 1 then 2 is the twelfth) or by moving to it with the
arrows, then Enter. A checklist ticks signs (y or Space), marks one "not sure" (?), or says "None
of these" (0); Enter takes it once something is marked. On a list of up to nine lines a number
ticks its line; on a longer one it goes to the line, so a slow "1", "2" cannot tick the first
line on the way to the twelfth.

A list taller than the terminal scrolls with the pointer, the question always on screen and a
line saying how many lines are above or below: no line can be pointed at, or ticked, unseen. Ctrl-C raises KeyboardInterrupt and a closed terminal EOFError, as
questionary does, so the caller keeps what was answered.

Built on prompt_toolkit (which questionary uses) with an optional input and output, so tests
drive the real prompts through a pipe.
"""

from triage.prompts.base import NONE as NONE
from triage.prompts.base import Lines as Lines
from triage.prompts.base import Option as Option
from triage.prompts.base import wrapped as wrapped
from triage.prompts.checklist import checklist as checklist
from triage.prompts.choice import choose as choose
from triage.prompts.choice import confirm as confirm
