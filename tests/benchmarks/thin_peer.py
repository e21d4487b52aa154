"""The thin peer: what a command costs with nothing of the war room in it.

A FastAPI endpoint of a few lines that parses the same JSON body as the war
room's "record a request" and does one psycopg INSERT per request (autocommit:
one transaction, one fsync), from a pool of the size the war room's own
(4, up to 16), served by uvicorn with the war room's settings (httptools,
uvloop, one process, a plain `def` route on the threadpool, no access log).
No authentication, no aggregate, no idempotency, no read side: the
difference between it and the war room is the war room's own work.

    python -m tests.benchmarks.thin_peer --port 8001    # WARROOM_DATABASE_URL
"""

from __future__ import annotations

import argparse
import os

import uvicorn
from fastapi import FastAPI
from psycopg_pool import ConnectionPool
from pydantic import BaseModel

from warroom.config import Database

TABLE = "thin_peer_requests"


class RecordRequest(BaseModel):
    title: str
    requested_by: str
    channel: str


def create_app(database: Database) -> FastAPI:
    conninfo = database.psycopg_conninfo() + f" options=-csearch_path={database.schema}"
    pool = ConnectionPool(
        conninfo, min_size=4, max_size=16, kwargs={"autocommit": True}, open=True
    )
    with pool.connection() as conn:
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, "
            "inspection_id text NOT NULL, body text NOT NULL)"
        )
    app = FastAPI()

    @app.post("/api/inspections/{inspection_id}/requests", status_code=201)
    def record(inspection_id: str, body: RecordRequest) -> dict[str, int]:
        with pool.connection() as conn:
            row = conn.execute(
                f"INSERT INTO {TABLE} (inspection_id, body) VALUES (%s, %s) "
                "RETURNING id",
                (inspection_id, body.model_dump_json()),
            ).fetchone()
        assert row is not None
        return {"position": row[0]}

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    database = Database.from_url(os.environ["WARROOM_DATABASE_URL"])
    if database.kind != "postgresql":
        raise SystemExit("the thin peer runs on PostgreSQL only")
    uvicorn.run(
        create_app(database),
        host=args.host,
        port=args.port,
        log_level="info",
        access_log=False,
    )


if __name__ == "__main__":
    main()
