"""`warroom drill restore` as an operator or a weekly CI job runs it: a subprocess against
moto's HTTP server, with the JSON keys and exit codes of CONTRACT.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from bot.services.restore_drills import last_successful_drills
from bot.store.db import Database
from tests.aws.tables import create_table

REGION = "us-east-1"
CLI = "import sys\nfrom bot.cli.main import main\nsys.exit(main(sys.argv[1:]))\n"
KEYS = {
    "table",
    "restored",
    "rto_seconds",
    "source_items",
    "restored_items",
    "sample_checked",
    "sample_matched",
    "error",
}


def _reset(endpoint: str) -> None:
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10):
        pass


@pytest.fixture
def endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    _reset(url)
    try:
        yield url
    finally:
        _reset(url)
        server.stop()


def dynamodb(endpoint: str) -> Any:
    return boto3.client(
        "dynamodb",
        region_name=REGION,
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def run(
    endpoint: str, tmp_path: Path, *args: str, **extra: str
) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "SLACK_", "WARROOM_", "DATABASE_"))
    }
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE="/nonexistent",
        AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
        AWS_MAX_ATTEMPTS="1",
        **extra,
    )
    return subprocess.run(
        [sys.executable, "-c", CLI, "drill", "restore", *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_one_pitr_table_restores_one_without_fails_exit_1_nothing_left(
    endpoint: str, tmp_path: Path
) -> None:
    client = dynamodb(endpoint)
    create_table(client, "orders", pitr=True, protected=True)
    create_table(client, "users", pitr=False, protected=False)
    for n in range(40):
        client.put_item(TableName="orders", Item={"id": {"S": f"o{n}"}, "n": {"N": str(n)}})

    done = run(endpoint, tmp_path, "--format", "json")

    assert done.returncode == 1, done.stderr
    results = {row["table"]: row for row in json.loads(done.stdout)}
    assert all(set(row) == KEYS for row in results.values())
    orders, users = results["orders"], results["users"]
    assert orders["restored"] is True and orders["error"] is None
    assert isinstance(orders["rto_seconds"], float) and orders["rto_seconds"] >= 0
    assert (orders["source_items"], orders["restored_items"]) == (40, 40)
    assert orders["sample_checked"] == orders["sample_matched"] == 25
    assert users["restored"] is False and users["rto_seconds"] is None
    assert "update-continuous-backups --table-name users" in users["error"]
    assert sorted(client.list_tables()["TableNames"]) == ["orders", "users"]


def test_named_tables_all_matched_exit_0_as_a_table_and_recorded(
    endpoint: str, tmp_path: Path
) -> None:
    client = dynamodb(endpoint)
    create_table(client, "orders", pitr=True, protected=False)
    create_table(client, "users", pitr=False, protected=False)
    url = f"sqlite:///{tmp_path / 'warroom.db'}"

    done = run(endpoint, tmp_path, "--table", "orders", "--sample", "5", DATABASE_URL=url)

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == [
        "RESULT",
        "TABLE",
        "RTO",
        "ITEMS",
        "(SOURCE/RESTORED)",
        "SAMPLE",
        "ERROR",
    ]
    assert lines[1].startswith("RESTORED  orders")
    assert lines[-1] == "1 restored and matched, 0 not. Exit code 0."
    db = Database(url)
    try:
        assert set(last_successful_drills(db, ["orders", "users"])) == {"orders"}
    finally:
        db.dispose()


def test_could_not_run_exits_2(tmp_path: Path) -> None:
    done = run("http://127.0.0.1:9", tmp_path, "--format", "json")

    assert done.returncode == 2
    assert "could not run" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_account_with_no_tables_exits_2(endpoint: str, tmp_path: Path) -> None:
    done = run(endpoint, tmp_path, "--format", "json")

    assert done.returncode == 2
    assert json.loads(done.stdout) == []
