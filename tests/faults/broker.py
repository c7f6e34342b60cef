"""A Kafka broker of the fault suite's own, started by ``infra/services/kafka.sh`` (the project's
one way of fetching the jars and starting a KRaft broker) on ports and a data folder of its
own, so killing it never touches the shared broker on 9092."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from tests.conftest import unavailable
from tests.servers import running

KAFKA_SH = Path(__file__).resolve().parents[2] / "infra" / "services" / "kafka.sh"


class ThrowawayBroker:
    def __init__(self, run: Path, port: int, controller_port: int) -> None:
        self.run, self.bootstrap = run, f"127.0.0.1:{port}"
        self.env = {**os.environ, "GONGXIAO_KAFKA_RUN": str(run), "GONGXIAO_KAFKA_PORT": str(port),
                    "GONGXIAO_KAFKA_CONTROLLER_PORT": str(controller_port)}

    def start(self) -> None:
        """Start it (formatting its storage the first time) and create the project's topics;
        returns once it answers metadata requests."""
        for program in ("java", "mvn"):
            if not shutil.which(program):
                unavailable(f"{program} is not installed: the fault suite starts a Kafka broker "
                            "of its own with infra/services/kafka.sh")
        done = subprocess.run(["bash", str(KAFKA_SH)], env=self.env, capture_output=True,
                              text=True, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"kafka.sh could not start the fault suite's broker:\n{done.stderr}")

    def kill(self) -> None:
        """``kill -9``: no controlled shutdown, the logs are recovered on the next start."""
        pid = int((self.run / "kafka.pid").read_text())
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while running(pid):
            assert time.monotonic() < deadline, f"broker pid {pid} outlived kill -9"
            time.sleep(0.1)

    def stop(self) -> None:
        subprocess.run(["bash", str(KAFKA_SH), "stop"], env=self.env, capture_output=True,
                       timeout=120)

