"""deploy/ renders and validates with the tools an operator uses, here, with no daemon and
no cluster: `docker-compose config` for the compose file, `kubectl kustomize` for every
overlay and kubernetes-validate (strict) for every rendered object. A missing tool fails
the test with how to install it; nothing is skipped."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
OVERLAYS = sorted(p.name for p in (DEPLOY / "kubernetes" / "overlays").iterdir())
KUBERNETES_VERSION = "1.30.0"
WARROOM_UID = 10001


def _tool(name: str, debian_package: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is not installed: apt-get install -y {debian_package} (.ci/run does)"
    return path


def _compose_config(tmp_path: Path) -> dict[str, Any]:
    # The compose file reads ../../.env (the operator's secrets); give it an empty one.
    checkout = tmp_path / "checkout"
    shutil.copytree(DEPLOY / "compose", checkout / "deploy" / "compose")
    (checkout / ".env").write_text("SLACK_BOT_TOKEN=xoxb-x\nSLACK_SIGNING_SECRET=x\n")
    result = subprocess.run(
        [_tool("docker-compose", "docker-compose"), "-f",
         str(checkout / "deploy" / "compose" / "docker-compose.yml"), "config"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return dict(yaml.safe_load(result.stdout))


def test_compose_runs_postgres_a_migration_two_replicas_and_a_balancer(tmp_path: Path) -> None:
    services = _compose_config(tmp_path)["services"]

    assert set(services) == {"postgres", "migrate", "warroom-1", "warroom-2", "nginx"}
    assert services["migrate"]["command"] == ["warroom", "db", "upgrade"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for replica in ("warroom-1", "warroom-2"):
        service = services[replica]
        assert service["command"][:2] == ["warroom", "serve"]
        assert "healthcheck" in service and "/healthz" in " ".join(service["healthcheck"]["test"])
        assert service["depends_on"]["migrate"]["condition"] == ("service_completed_successfully")
        assert service["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://")
        assert service["read_only"] is True
    assert "healthcheck" in services["postgres"] and "healthcheck" in services["nginx"]
    nginx = (DEPLOY / "compose" / "nginx.conf").read_text()
    assert set(re.findall(r"server (warroom-\d):3000", nginx)) == {"warroom-1", "warroom-2"}


def _render(overlay: str) -> list[dict[str, Any]]:
    result = subprocess.run(
        [_tool("kubectl", "kubernetes-client"), "kustomize",
         str(DEPLOY / "kubernetes" / "overlays" / overlay)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def _validate(obj: dict[str, Any]) -> None:
    if obj["apiVersion"].startswith("monitoring.coreos.com/"):
        # A CRD: kubernetes-validate has no schema for it; check what Prometheus needs.
        assert obj["kind"] == "ServiceMonitor"
        assert obj["spec"]["selector"]["matchLabels"]
        assert [e["path"] for e in obj["spec"]["endpoints"]] == ["/metrics"]
        return
    kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_rendered_object_validates(overlay: str) -> None:
    objects = _render(overlay)

    for obj in objects:
        _validate(obj)
    kinds = {obj["kind"] for obj in objects}
    assert {"Deployment", "Job", "Service", "PodDisruptionBudget", "Ingress"} <= kinds


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pods_run_non_root_read_only_with_probes(overlay: str) -> None:
    objects = _render(overlay)
    (deployment,) = [o for o in objects if o["kind"] == "Deployment"]
    (job,) = [o for o in objects if o["kind"] == "Job"]

    for pod in (deployment["spec"]["template"]["spec"], job["spec"]["template"]["spec"]):
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] == WARROOM_UID
        for container in pod["containers"]:
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
    (server,) = deployment["spec"]["template"]["spec"]["containers"]
    assert server["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert "livenessProbe" in server
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["warroom", "db", "upgrade"]


def test_production_overlay_has_a_service_monitor_and_more_replicas() -> None:
    objects = _render("production")

    assert any(o["kind"] == "ServiceMonitor" for o in objects)
    (deployment,) = [o for o in objects if o["kind"] == "Deployment"]
    assert deployment["spec"]["replicas"] >= 2


def test_the_image_is_built_as_an_orchestrator_expects() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    ignored = (ROOT / ".dockerignore").read_text().split()

    assert re.search(r"^USER \d+:\d+$", dockerfile, re.M), "numeric user"
    healthcheck = re.search(r"^HEALTHCHECK (.*?)\n(?!\s)", dockerfile, re.M | re.S)
    assert healthcheck and "--start-period=" in healthcheck.group(1)
    assert 'CMD ["python", "-c"' in healthcheck.group(1) and "PORT" in healthcheck.group(1)
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.\d+\.\d+-slim-\w+", dockerfile, re.M)
    assert "--constraint" in dockerfile and "pip wheel" in dockerfile
    assert "pip install -e" not in dockerfile
    assert "*" in ignored and "!bot/" in ignored and "!constraints.txt" in ignored
