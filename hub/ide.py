"""GraphiQL without a CDN: strawberry's page, its scripts and styles served by the hub.

Strawberry's GraphiQL page loads React, GraphiQL and its explorer plugin from unpkg; offline
(an intranet) it stays at "Loading...". `make run` and `make test` install the same packages,
at the versions the page names, from npm into `ide/node_modules` (`ide/package.json`); the hub
serves that folder at `ASSETS_PATH` and rewrites the page's addresses to point there. The page
keeps its integrity hashes: npm's files are the bytes the CDN serves, so the browser still
checks each one.
"""

import json
import logging
import re
from html import escape
from pathlib import Path

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from strawberry.http.ides import get_graphql_ide_html

log = logging.getLogger("hub")

ASSETS_PATH = "/graphiql-assets"
_CDN_FILE = re.compile(
    r"https://unpkg\.com/(?P<package>(?:@[\w.-]+/)?[\w.-]+)@(?P<version>[\w.-]+)/(?P<file>[^\"']+)"
)
_REMOTE_LOAD = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)
_MISSING_PAGE = """<!doctype html>
<html><head><title>GraphiQL</title></head>
<body><h1>GraphiQL's scripts are not installed</h1>
<p>The hub serves GraphiQL from the npm packages in <code>ide/</code>; <code>make run</code>
installs them (<code>npm ci</code> there). The GraphQL endpoint itself works: POST to this URL.</p>
<pre>{problems}</pre></body></html>
"""


def graphiql_page(assets_dir: Path) -> str:
    """Strawberry's GraphiQL page loading everything from `ASSETS_PATH`, or, when a file it
    needs is not installed in `assets_dir`, a page that says so (and a warning in the log)."""
    page = get_graphql_ide_html("graphiql")
    problems = [p for m in _CDN_FILE.finditer(page) if (p := _problem(assets_dir, m))]
    local = _CDN_FILE.sub(lambda m: f"{ASSETS_PATH}/{m['package']}/{m['file']}", page)
    if _REMOTE_LOAD.search(local):
        problems.append("strawberry's page loads from a host other than unpkg: see hub/ide.py")
    if not problems:
        return local
    log.warning("GraphiQL will not load: %s", "; ".join(problems))
    return _MISSING_PAGE.format(problems=escape("\n".join(problems)))


def assets_mount(assets_dir: Path) -> Mount:
    """The route serving `assets_dir` (an npm node_modules folder) at `ASSETS_PATH`."""
    return Mount(ASSETS_PATH, app=StaticFiles(directory=assets_dir, check_dir=False))


def _problem(assets_dir: Path, cdn_file: re.Match[str]) -> str | None:
    """Why `cdn_file` cannot be served from `assets_dir`, or None when it can."""
    package, version = cdn_file["package"], cdn_file["version"]
    if not (assets_dir / package / cdn_file["file"]).is_file():
        return f"{package}@{version}: {cdn_file['file']} missing in {assets_dir}"
    installed = _installed_version(assets_dir / package)
    if installed != version:
        return f"{package}: the page wants {version}, {assets_dir} has {installed}"
    return None


def _installed_version(package_dir: Path) -> str | None:
    try:
        return str(json.loads((package_dir / "package.json").read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None
