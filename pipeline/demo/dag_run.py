"""Run one DAG with dag.test() in this process: `python -m pipeline.demo.dag_run DAG_ID`.

The demo runs each DAG in a child process so Airflow's logging goes to a file, not the screen.
"""

from __future__ import annotations

import sys


def main(dag_id: str) -> int:
    from airflow.dag_processing.dagbag import DagBag

    from pipeline.settings import PROJECT_ROOT

    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags"))
    if bag.import_errors:
        print(f"DAG import errors: {bag.import_errors}", file=sys.stderr)
        return 2
    run = bag.dags[dag_id].test()
    print(f"{dag_id}: {run.state}")
    return 0 if run.state == "success" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
