"""Results follow the user's umask (issue 12 item 6): colleagues and web servers can read them."""

from __future__ import annotations

import os
import stat

from conftest import SCENARIOS


def test_result_files_and_directories_follow_the_umask(cli, tmp_path):
    old = os.umask(0o022)
    try:
        code, _, err = cli("run", SCENARIOS / "baseline.toml", SCENARIOS / "eaeu_fta.toml",
                           "--out", tmp_path, "--no-plots", "-q")
    finally:
        os.umask(old)
    assert code == 0, err
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
    assert mode(tmp_path / "baseline") == 0o755
    assert mode(tmp_path / "baseline" / "summary.csv") == 0o644
    assert mode(tmp_path / "comparison.csv") == 0o644
