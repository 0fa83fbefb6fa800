"""Every file the code, data, scenarios and docs point to is in this repository."""

from __future__ import annotations

import re

from conftest import ROOT

TEXT = [p for pattern in ("model/**/*.py", "model/**/*.toml", "model/**/*.csv", "scenarios/**/*.toml",
                          "docs/*.md", "README.md", "results/README.md")
        for p in ROOT.glob(pattern)]
PATH = re.compile(r"\b((?:docs|model|scenarios|benchmarks|tests)/[\w./-]+\.(?:md|toml|csv|py))")


def test_no_reference_leaves_the_repository():
    outside = [(p.relative_to(ROOT), line) for p in TEXT
               for line in p.read_text(errors="replace").splitlines()
               if "shared/" in line and "shared/DESIGN.md as of" not in line
               and "shared/reference/facts.md as of" not in line]
    assert outside == []


def test_every_named_repository_file_exists():
    missing = sorted({(str(p.relative_to(ROOT)), m) for p in TEXT
                      for m in PATH.findall(p.read_text(errors="replace"))
                      if "<" not in m and "*" not in m and "/X." not in m and not (ROOT / m).exists()})
    assert missing == []
