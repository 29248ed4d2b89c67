"""The matching core is pure: importing it must not import Django."""

import subprocess
import sys

MODULES = [
    "safeshare.matching",
    "safeshare.matching.normalise",
    "safeshare.matching.names",
    "safeshare.matching.fields",
    "safeshare.matching.record",
    "safeshare.matching.blocking",
    "safeshare.matching.register",
    "safeshare.matching.compare",
    "safeshare.matching.model",
    "safeshare.matching.matcher",
    "tools.matching.synth",
    "tools.matching.train",
]


def test_importing_the_matching_core_does_not_import_django():
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in MODULES)
        + "from safeshare.matching import Matcher, load_model\n"
        + "Matcher(load_model())\n"
        + "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        + "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"PATH": ""}, timeout=60)
