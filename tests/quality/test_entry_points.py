"""The quality checks work when the pipeline is driven from `python -c`, a pipe or an embedded
interpreter, not only from the `cdp` script.

Why: Great Expectations probes pyspark's Spark Connect support when it is imported, and pyspark,
finding a `__main__` without a file and its Connect dependencies missing, believes it runs
doctests and calls sys.exit(0). The import then ended the caller silently with status 0 (a
`python -c` run "succeeded" having done nothing), and inside a run every GX check failed with
"SystemExit: 0". The `spark` extra installs pyspark with its Connect dependencies.
"""

from __future__ import annotations

import subprocess
import sys


def test_great_expectations_imports_from_a_script_without_a_file():
    done = subprocess.run([sys.executable, "-c", "import great_expectations; print('imported')"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "imported" in done.stdout, (done.returncode, done.stdout[-500:], done.stderr[-500:])
