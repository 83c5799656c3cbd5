"""The `minsheng` command: demo, serve, consensus, and every Django management command."""

from __future__ import annotations

import importlib
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

USAGE = """用法 / usage: minsheng <command> [options]

  demo                 set up the database with the 武进区 demo data, then serve it
  serve [--bind ADDR] [--no-worker]
                       serve the site with gunicorn (default 127.0.0.1:8000) and the task worker
  worker               run background tasks and periodic jobs (beside `serve --no-worker`)
  jobs [run NAME]      list the periodic jobs, or queue one now
  verify-events [--checkpoints DIR]
                       check the hash chain of the Event log against its signed checkpoints
  event-checkpoint [--create-key]
                       sign the Event chain head now (hourly by the worker)
  backup DEST, restore SRC  a consistent backup with a manifest, and its restore
  calendar load FILE   load a year's official holiday schedule (JSON, or CSV with --source)
  calendar years       which years have holiday data (deadlines elsewhere count Monday to Friday)
  consensus analyze …  opinion groups and consensus from pol.is-style votes
  legislation parse FILE  the structure (编/章/节/条/款/项) of a law or draft
  text route-eval|hot|dup  routing quality, hot issues, near-duplicates of message CSV files
  text train [--csv FILE]  train a routing model (confirmed assignments, or a labelled file)
  <django command>     any management command (migrate, createsuperuser, …)
"""

DEFAULT_BIND = "127.0.0.1:8000"


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings.prod")
    import django

    django.setup()


def _progress(stage: str, done: int, total: int) -> None:
    width = 30
    filled = width * done // max(total, 1)
    sys.stdout.write(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {stage:<12}")
    if done >= total:
        sys.stdout.write("\n")
    sys.stdout.flush()


def _migrations_pending() -> bool:
    """Whether ``migrate`` has anything to do (it costs seconds even when it has not: checks, signals)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _static_stamp() -> Path:
    from django.conf import settings

    return Path(settings.STATIC_ROOT) / ".minsheng-sources"


def _static_fingerprint() -> str:
    """A digest of every source static file's path, size and modification time, and of the storage.

    ``collectstatic`` with whitenoise's manifest storage re-reads, re-hashes and re-compresses every
    file each time (seconds); when nothing changed since the last run, it can be skipped.
    """
    import hashlib

    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256(repr(settings.STORAGES["staticfiles"]).encode())
    entries = []
    for finder in get_finders():
        for path, storage in finder.list([]):
            stat = os.stat(storage.path(path))
            entries.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    for entry in sorted(entries):
        digest.update(entry.encode())
    return digest.hexdigest()


def prepare(*, with_demo_data: bool) -> None:
    """Migrate, build the cache table and static files; seed the demo district once."""
    from django.core.management import call_command

    from minsheng.settings import env

    env.data_dir().mkdir(parents=True, exist_ok=True)
    if _migrations_pending():
        print("· 数据库迁移 (migrate)")
        call_command("migrate", interactive=False, verbosity=0)
    else:
        print("· 数据库已是最新 (database up to date)")
    call_command("createcachetable", verbosity=0)
    fingerprint = _static_fingerprint()
    manifest = _static_stamp().with_name("staticfiles.json")
    if manifest.is_file() and _static_stamp().is_file() and _static_stamp().read_text() == fingerprint:
        print("· 静态文件未变 (static files unchanged)")
    else:
        print("· 静态文件 (collectstatic)")
        call_command("collectstatic", interactive=False, verbosity=0)
        _static_stamp().write_text(fingerprint)
    if not with_demo_data:
        return
    from minsheng.org.demo import demo_exists, demo_seed

    if demo_exists():
        print("· 演示数据已存在，直接使用 (demo data exists, reused)")
    else:
        print("· 生成演示数据：武进区 (seeding demo data)")
        demo_seed(progress=_progress)
    for module_name in APP_DEMO_MODULES:
        app_demo = _app_demo(module_name)
        if app_demo is not None and not app_demo.exists():
            print(f"· {module_name}")
            app_demo.seed()
    # The demo signs its Event log like a real site: a key in the data folder, a first checkpoint.
    from minsheng.core.checkpoints import checkpoint_sign, signing_key_create, signing_key_path

    if not signing_key_path().exists():
        print(f"· 审计日志签名密钥 (event signing key): {signing_key_create()}")
    checkpoint_sign()


# Each app may add demo records on top of the district: a module with exists() and seed().
APP_DEMO_MODULES = (
    "minsheng.voices.demo",
    "minsheng.motions.demo",
    "minsheng.legislation.demo",
    "minsheng.deliberation.demo",
    "minsheng.oversight.demo",
    "minsheng.meetings.demo",
    "minsheng.insight.demo",
    "minsheng.records.demo",
)


def _app_demo(module_name: str) -> Any:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as missing:
        if missing.name != module_name:
            raise
        return None


def _option_value(argv: Sequence[str], name: str, default: str) -> str | None:
    """The value after ``name`` in ``argv``, ``default`` when absent, None when the value is missing."""
    if name not in argv:
        return default
    index = list(argv).index(name)
    return argv[index + 1] if index + 1 < len(argv) else None


def _metrics_dir_fresh() -> Path:
    """The folder where the web processes share their counters (emptied: counts start with the service)."""
    from minsheng.settings import env

    folder = env.data_dir() / "metrics"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def web_workers() -> int:
    """Web processes: MINSHENG_WORKERS, else two per CPU and one more (gunicorn's advice for its sync
    workers, which take a request only when free: a request never waits behind another on a busy
    process while a core idles, as kept-alive connections fallen 3 to 1 on two threaded processes did,
    docs/benchmarks.md)."""
    return int(os.environ.get("MINSHENG_WORKERS", "0")) or 2 * (os.cpu_count() or 1) + 1


def _web_server(bind: str) -> Any:
    """gunicorn, serving the application this process has already loaded (its workers are forked)."""
    from gunicorn.app.base import BaseApplication

    from minsheng.wsgi import application

    options = {
        "bind": bind,
        "workers": web_workers(),
        # One request at a time per process, no keep-alive: behind nginx (which buffers slow clients)
        # as docs/operations.md deploys it.
        "worker_class": "sync",
        "timeout": 60,  # the longest page (a 10,000-row export) takes seconds; a stuck one is restarted
        "preload_app": True,
        # Every request is logged by RequestLogMiddleware (JSON, with its request id): no access log.
        "accesslog": None,
        "control_socket_disable": True,  # several nodes may run on one machine
    }

    class WebServer(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    return WebServer()


def _task_worker() -> None:
    from minsheng.core.worker import JobWorker, worker_id_new

    worker = JobWorker(worker_id=worker_id_new())
    worker.configure_signals()
    worker.run()


def serve(argv: Sequence[str]) -> int:
    """Serve with gunicorn and, unless ``--no-worker``, a task worker that also runs periodic jobs."""
    bind = _option_value(argv, "--bind", DEFAULT_BIND)
    if bind is None:
        print("--bind 需要地址，例如 127.0.0.1:8000", file=sys.stderr)
        return 2
    from minsheng.supervise import supervise

    web = _web_server(bind)  # loads and warms the application here, once, before forking
    with_worker = "--no-worker" not in argv
    print(f"民声 Minsheng: http://{bind}/  (Ctrl+C 停止)")
    if with_worker:
        print("· 后台任务与定时任务随服务运行 (task worker and periodic jobs included)")
    else:
        print("· 后台任务由单独的 `minsheng worker` 运行 (--no-worker)")
    return supervise(web=web.run, worker=_task_worker if with_worker else None)


def demo_accounts() -> list[Any]:
    """The demo's sign-in accounts (``DemoAccount``): the district's, then each app demo's ``ACCOUNTS``."""
    from minsheng.org import demo

    accounts = list(demo.ACCOUNTS)
    for module_name in APP_DEMO_MODULES:
        module = _app_demo(module_name)
        accounts.extend(getattr(module, "ACCOUNTS", ()))
    return accounts


def demo_accounts_seed() -> None:
    """Every app demo's own sign-in accounts (its ``accounts_seed()``), without its demo records: for
    tests that act as every demo role on the district demo alone."""
    for module_name in APP_DEMO_MODULES:
        module = _app_demo(module_name)
        if getattr(module, "ACCOUNTS", ()):
            module.accounts_seed()


def _print_demo_accounts() -> None:
    from minsheng.org.demo import DEMO_PASSWORD

    print(f"演示账号 (demo accounts), 密码 / password: {DEMO_PASSWORD}")
    for account in demo_accounts():
        print(f"  {account.username:<12} {account.description}")
    print("  演示短信验证码写在本服务的日志里 (demo SMS codes are written to this log)")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0
    command, rest = args[0], args[1:]
    if command == "consensus":
        from minsheng.analysis.consensus.cli import main as consensus_main

        return consensus_main(rest)
    if command == "text" and rest[:1] != ["train"]:  # train needs the database; the rest do not
        from minsheng.analysis.text.cli import main as text_main

        return text_main(rest)
    if command == "text":
        command, rest = "text_train", rest[1:]
    if command == "legislation":
        from minsheng.legislation.cli import main as legislation_main

        return legislation_main(rest)
    if command in {"demo", "serve"}:
        # Before anything imports prometheus_client: the web processes will share counters there.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(_metrics_dir_fresh())
    _setup_django()
    if command == "demo":
        prepare(with_demo_data=True)
        _print_demo_accounts()
        return serve(rest)
    if command == "serve":
        prepare(with_demo_data=False)
        return serve(rest)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["minsheng", command.replace("-", "_"), *rest])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
