"""The resolved import graph the orchestrator uses to tie findings to auto-run entry files."""

from __future__ import annotations

from pathlib import Path

from inspector.static.flow import module_graph
from tests.static.flow._scan import write_repo


def test_module_graph_resolves_relative_js_and_python_imports(tmp_path: Path) -> None:
    repo = write_repo(
        tmp_path,
        {
            "package.json": "{}",
            "server/server.js": "require('./routes');\nconst { x } = require('../lib/util.js');\nrequire('express');\n",
            "server/routes/index.js": "import h from './handler';\nexport * from '../../lib/util';\n",
            "server/routes/handler.ts": "export default () => import('./lazy');\n",
            "server/routes/lazy.mjs": "",
            "lib/util.js": "module.exports = {};\n",
            "app/__init__.py": "",
            "app/main.py": "from .errors import report\nfrom app import client\nimport os\n",
            "app/errors.py": "",
            "app/client.py": "from . import errors\n",
        },
    )
    graph = module_graph(repo)
    assert graph["server/server.js"] == frozenset({"server/routes/index.js", "lib/util.js"})
    assert graph["server/routes/index.js"] == frozenset({"server/routes/handler.ts", "lib/util.js"})
    assert graph["server/routes/handler.ts"] == frozenset({"server/routes/lazy.mjs"})
    assert graph["app/main.py"] == frozenset({"app/errors.py", "app/__init__.py", "app/client.py"})
    assert graph["app/client.py"] == frozenset({"app/__init__.py", "app/errors.py"})
    assert "package.json" not in graph


def test_module_graph_never_leaves_the_repository(tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "repo", {"a.js": "require('../../etc/passwd');\nrequire('/etc/hosts');\n"})
    assert module_graph(repo) == {"a.js": frozenset()}
