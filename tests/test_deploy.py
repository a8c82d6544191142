"""The scheduling files in deploy/ run the real crawl: their command lines, executed against the replica."""

import configparser
import shlex
import subprocess

from replica.testing import running
from support import LOCAL_SPEED, PROJECT_ROOT, rows

DEPLOY = PROJECT_ROOT / "deploy"
INSTALL_DIR = "/opt/alghad"


def scheduled_commands() -> dict[str, str]:
    """The crawl command of the crontab line and of the systemd service, as a shell would run them."""
    cron_lines = [line for line in (DEPLOY / "crontab").read_text().splitlines()
                  if line.strip() and not line.startswith("#") and "=" not in line.split()[0]]
    (cron_line,) = cron_lines
    cron_command = " ".join(cron_line.split()[5:]).replace("\\%", "%")
    service = configparser.ConfigParser(interpolation=None, strict=False)
    service.read(DEPLOY / "alghad-crawl.service")
    unit = service["Service"]
    systemd_command = f"cd {unit['WorkingDirectory']} && {unit['ExecStart']}"
    return {"cron": cron_command, "systemd": systemd_command}


def test_timer_and_service_belong_together():
    timer = configparser.ConfigParser(interpolation=None)
    timer.read(DEPLOY / "alghad-crawl.timer")
    assert timer["Timer"]["OnCalendar"] and timer["Timer"]["Persistent"] == "true"
    service = configparser.ConfigParser(interpolation=None, strict=False)
    service.read(DEPLOY / "alghad-crawl.service")
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["KillSignal"] == "SIGTERM"


def test_scheduled_command_lines_run_an_incremental_crawl(tmp_path):
    commands = scheduled_commands()
    assert set(commands) == {"cron", "systemd"}
    with running(articles=20, seed=3) as base_url:
        for name, command in commands.items():
            db_path = tmp_path / f"{name}.db"
            local = command.replace(INSTALL_DIR, str(PROJECT_ROOT)).replace("data/news.db", str(db_path))
            local = local.replace("data/crawl.log", str(tmp_path / f"{name}.log"))
            speed = " ".join(f"-s {key}={value}" for key, value in LOCAL_SPEED.items())
            result = subprocess.run(["/bin/sh", "-c", f"{local} -a base_url={shlex.quote(base_url)} {speed}"],
                                    capture_output=True, text=True, timeout=120)
            assert result.returncode == 0, (name, result.stderr[-2000:])
            (run,) = rows(db_path, "select mode, status, new from crawl_runs")
            assert (run["mode"], run["status"]) == ("incremental", "healthy") and run["new"] > 0
