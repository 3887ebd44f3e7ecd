"""Shared pytest fixtures for eku integration scenarios.

Scenarios are numbered files (NN_topic_test.py) that start real peers on
127.0.0.1, skip with a reason when a peer is missing, and clean up after
themselves. EKU_BIN points at the eku binary (default: build/eku).
"""
import importlib.util
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def eku_bin():
    path = Path(os.environ.get("EKU_BIN", ROOT / "build" / "eku")).resolve()
    if not path.exists():
        pytest.fail(f"{path}: eku binary not built (meson setup build && ninja -C build)")
    return str(path)


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def need(program):
    """Skip the test with a reason when a peer program is not installed."""
    found = shutil.which(program) or (Path("/usr/sbin") / program).exists()
    if not found:
        pytest.skip(f"{program} not installed (apt-get install it, or run .ci/run)")
    return shutil.which(program) or str(Path("/usr/sbin") / program)


def run(cmd, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 120)
    return subprocess.run(cmd, **kw)


def wait_port(port, proc=None, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"peer exited early: {proc.args}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"port {port} never opened")


def gateway_helpers():
    """The PKI, gateway and upstream helpers of 30_gateway_mtls_test.py, for
    the other gateway scenarios (a fresh module instance per caller)."""
    spec = importlib.util.spec_from_file_location(
        "gw30", Path(__file__).with_name("30_gateway_mtls_test.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
