"""`newsflow bench --quick|--full --out FILE.json`: the benchmark harness in bench/."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline.cli import add_command, out
from pipeline.errors import NewsflowError
from pipeline.settings import PROJECT_ROOT, Settings


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    if not (PROJECT_ROOT / "bench" / "harness.py").exists():
        raise NewsflowError("the benchmark harness lives in the source tree: run from a clone")
    sys.path.insert(0, str(PROJECT_ROOT))
    from bench import harness
    from pipeline import db

    profile = harness.FULL if args.full else harness.QUICK
    results = harness.run(profile, db.database_url(settings), log=out.print)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str))
    out.print(f"wrote {args.out}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "bench", cmd_bench, "measure throughput, idle cost, scaling and memory")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="small corpus (default)")
    size.add_argument("--full", action="store_true", help="the corpus the README figures use")
    p.add_argument("--out", type=Path, default=Path("bench/results.json"))
