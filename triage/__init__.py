"""spasm-triage: triage for a lifter's lower-back spasm, from YAML rules run by an experta engine.

The library runs in one direction: `loading.load()` reads rules/*.yaml into a validated
`KnowledgeBase`; `engine.Engine(kb).consult(answers)` fires the compiled rules; `ranking.rank()`
orders what fired; `report` renders it. `cli` is a thin layer over these.
"""

__version__ = "0.1.0"
