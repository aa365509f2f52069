"""The viewer's own unit tests (TypeScript, vitest), run here so that the README's one test command covers them."""

from __future__ import annotations

import os
import re
import subprocess

from tests.browser_support import VIEWER_SOURCE, viewer_npm

# The suite had 63 tests when this was written: fewer means tests stopped being collected.
MIN_VIEWER_TESTS = 63


def test_viewer_unit_tests_pass():
    result = subprocess.run(
        [viewer_npm(), "test", "--", "--reporter=dot"],
        cwd=VIEWER_SOURCE,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "NO_COLOR": "1", "CI": "true"},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"vitest failed:\n{output[-6000:]}"
    passed = re.search(r"Tests\s+(\d+) passed", output)
    assert passed and int(passed.group(1)) >= MIN_VIEWER_TESTS, f"vitest ran too few tests:\n{output[-3000:]}"
