"""The executive step of a run: read the warehouse once, write the deck, the dashboard and the
marketing extracts into the run's output folder, and say what was written."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from executive.dashboard import write_dashboard
from executive.data import ExecutiveData, read_executive_data
from executive.deck import write_deck
from executive.extracts import write_extracts
from executive.story import Takeaways, takeaways
from warehouse.engine import Engine

DECK_FILE = "customer_intelligence.pptx"
DASHBOARD_FILE = "customer_intelligence.html"
EXTRACTS_FOLDER = "extracts"


@dataclass
class ExecutiveOutputs:
    """The files written, and the sentences they open with."""

    deck: Path
    dashboard: Path
    extracts: list[Path] = field(default_factory=list)
    story: Takeaways | None = None
    data: ExecutiveData | None = None

    @property
    def paths(self) -> list[Path]:
        return [self.deck, self.dashboard, *self.extracts]


def write_executive_outputs(engine: Engine, folder: Path) -> ExecutiveOutputs:
    """Write every executive output into `folder` (created); thin data gives outputs that say
    what is missing, never an error."""
    folder.mkdir(parents=True, exist_ok=True)
    data = read_executive_data(engine)
    return ExecutiveOutputs(
        deck=write_deck(data, folder / DECK_FILE),
        dashboard=write_dashboard(data, folder / DASHBOARD_FILE),
        extracts=write_extracts(data, folder / EXTRACTS_FOLDER),
        story=takeaways(data),
        data=data,
    )
