"""Put on PYTHONPATH by `batchlint trace`: installs the request recorder in
every Python process the traced command starts, then runs the
`sitecustomize` this one shadows, if there is one. Never raises: a program
must run the same with and without the recorder."""

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))

try:
    import _batchlint_recorder

    _batchlint_recorder.install()
except Exception:  # noqa: BLE001 - recording is best-effort; the program is what matters
    pass


def _chain() -> None:
    """Run the next `sitecustomize` on the path (a virtualenv's, a distro's)."""
    import importlib.machinery
    import importlib.util

    ours = sys.modules.get("sitecustomize")
    others = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", others)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules["sitecustomize"] = module
    try:
        spec.loader.exec_module(module)
    except Exception:  # noqa: BLE001 - as Python's own site.py does: report, carry on
        import traceback

        traceback.print_exc()
        sys.modules["sitecustomize"] = ours


try:
    _chain()
except Exception:  # noqa: BLE001
    pass
