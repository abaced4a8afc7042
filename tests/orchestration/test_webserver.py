"""The UI's view of the project: start the webserver on loopback and read the asset graph and
checks through its GraphQL API, as the Dagster UI does."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QUERY = """
{
  assetNodes {
    assetKey { path }
    groupName
    description
    kinds
    owners { ... on TeamAssetOwner { team } }
    assetChecksOrError { ... on AssetChecks { checks { name blocking } } }
  }
  workspaceOrError { ... on Workspace { locationEntries { name loadStatus
      locationOrLoadError { __typename ... on PythonError { message } } } } }
}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(port: int, query: str) -> dict:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


@pytest.fixture(scope="module")
def webserver(tmp_path_factory):
    home = tmp_path_factory.mktemp("dagster_home")
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "CDP_CONFIG": str(ROOT / "cdp.yaml")}
    bin_dir = Path(sys.executable).parent
    proc = subprocess.Popen(
        [str(bin_dir / "dagster-webserver"), "-w", str(ROOT / "workspace.yaml"), "-h", "127.0.0.1", "-p", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError("webserver exited: " + proc.stderr.read().decode()[-2000:])
            try:
                _post(port, "{ version }")
                break
            except OSError:
                time.sleep(1)
        else:
            raise RuntimeError("webserver did not answer within 120 s")
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_ui_shows_the_asset_graph_grouped_by_domain(webserver):
    data = _post(webserver, QUERY)["data"]
    [location] = data["workspaceOrError"]["locationEntries"]
    assert location["locationOrLoadError"]["__typename"] == "RepositoryLocation", location
    nodes = {"/".join(n["assetKey"]["path"]): n for n in data["assetNodes"]}
    # one raw asset per configured source
    for source in ("pos", "web", "app", "callcentre", "pos_orders", "crm_consent", "postal_returns"):
        assert f"raw/{source}" in nodes
    assert nodes["raw/pos"]["groupName"] == "ingest"
    assert nodes["staging/identity_records"]["groupName"] == "staging"
    for key in ("identity/customer_xref", "marts/golden_customers", "marts/audience_members", "bi/published_warehouse"):
        assert key in nodes, key
    for key, node in nodes.items():
        assert node["description"], f"{key} has no description"
        assert node["owners"], f"{key} has no owner"
        assert node["kinds"], f"{key} has no kind"


def test_ui_shows_blocking_quality_checks(webserver):
    data = _post(webserver, QUERY)["data"]
    checks = [
        (("/".join(n["assetKey"]["path"])), c["name"], c["blocking"])
        for n in data["assetNodes"]
        for c in (n["assetChecksOrError"] or {}).get("checks", [])
    ]
    assert checks, "no asset checks visible"
    assert any(blocking for *_, blocking in checks)
