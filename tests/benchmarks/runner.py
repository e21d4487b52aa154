"""Each measurement of the issue's table, on one database, in one run."""

from __future__ import annotations

import asyncio
import gc
import random
import time
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from projections.rebuild import rebuild
from tests.benchmarks import (
    evidence,
    fold,
    killed_rebuild,
    library,
    live,
    many_inspections,
    throughput,
)
from tests.benchmarks.databases import fresh_database
from tests.benchmarks.httpclient import Connection, bearer
from tests.benchmarks.results import Measurement
from tests.benchmarks.server import HOST, Server
from tests.benchmarks.stats import load_average, percentile
from tests.benchmarks.workload import (
    CommandClient,
    Stage,
    first_answer,
    schedule_meetings,
    server_cpu_seconds,
    stage_inspection,
)
from warroom.application import WarRoom
from warroom.config import Database


@dataclass(frozen=True)
class Plan:
    """How big and how long: the full run, or the quick one CI can afford."""

    quick: bool
    runs: int
    append_seconds: float
    clients: int
    http_seconds: float
    http_runs: int
    background_events: int
    replay_events: int
    replay_runs: int
    inspection_events: int
    cold_start_runs: int
    as_of_rounds: int
    as_of_queries: int
    live_streams: tuple[int, ...]
    live_commands: int
    # Issue 14 item 8 and issue 10's stalls, driven by wrk (throughput.py).
    wrk_seconds: float = 2.0
    wrk_runs: int = 1
    stall_events: int = 1000
    stall_streams: int = 20
    stall_pollers: int = 6
    stall_connections: int = 4
    stall_seconds: float = 1.0
    # Issue 22: CaseBrowsed in each of the fold's two inspections.
    fold_browses: int = 10_000
    # Issue 22's killed rebuild (killed_rebuild.py): the log's size.
    killed_rebuild_events: int = 20_000
    # The smoke run (`--smoke`, what `scripts/test` runs): every stage of the
    # quick run at the smallest size that still drives its code, so that the
    # benchmark cannot rot without the suite failing. Its figures mean little;
    # the quick and full runs are the ones to quote.
    smoke: bool = False

    @classmethod
    def of(cls, quick: bool, smoke: bool = False) -> Plan:
        if smoke:
            return cls(
                quick=True,
                smoke=True,
                runs=1,
                append_seconds=0.2,
                clients=8,
                http_seconds=0.5,
                http_runs=1,
                background_events=100,
                replay_events=1000,
                replay_runs=1,
                inspection_events=500,
                cold_start_runs=1,
                as_of_rounds=1,
                as_of_queries=5,
                live_streams=(10,),
                live_commands=3,
                wrk_seconds=0.5,
                stall_events=100,
                stall_streams=4,
                stall_pollers=2,
                stall_connections=2,
                stall_seconds=0.5,
                fold_browses=500,
                killed_rebuild_events=1000,
            )
        if quick:
            return cls(
                quick=True,
                runs=3,
                append_seconds=1.0,
                clients=32,
                http_seconds=2.5,
                http_runs=3,
                background_events=1000,
                replay_events=20_000,
                replay_runs=3,
                inspection_events=10_000,
                cold_start_runs=2,
                as_of_rounds=2,
                as_of_queries=40,
                live_streams=(10, 100),
                live_commands=10,
            )
        return cls(
            quick=False,
            runs=5,
            append_seconds=3.0,
            clients=32,
            http_seconds=10.0,
            http_runs=5,
            background_events=3000,
            replay_events=1_000_000,
            replay_runs=3,
            inspection_events=100_000,
            cold_start_runs=3,
            as_of_rounds=3,
            as_of_queries=150,
            live_streams=(10, 100, 1000),
            live_commands=30,
            wrk_seconds=10.0,
            wrk_runs=3,
            stall_events=24_000,
            stall_streams=300,
            stall_pollers=60,
            stall_seconds=20.0,
            fold_browses=200_000,
            killed_rebuild_events=200_000,
        )


# The stages of a run, in order; `--only` picks some. A ratio whose other side
# was not measured in the same run is left out, never taken from another run.
STAGES = (
    "append",
    "http",
    "stalls",
    "replay",
    "killed",
    "cold",
    "tree",
    "many",
    "fold",
    "upload",  # access_log_reads alone (also part of "fold")
)


class Run:
    """One database kind's share of the benchmark."""

    def __init__(self, kind: str, plan: Plan, workdir: Path, deadline: float) -> None:
        self.kind = kind
        self.plan = plan
        self.workdir = workdir
        self.deadline = deadline
        self.done: dict[str, Measurement] = {}
        self.say: Callable[[str], None] = print

    @contextmanager
    def measuring(self, name: str) -> Iterator[Measurement]:
        m = Measurement(name=name, db=self.kind)
        self.done[name] = m
        started = time.perf_counter()
        self.say(f"[{self.kind}] {name} ...")
        try:
            yield m
        except Exception as error:
            m.status = "failed"
            m.error = f"{type(error).__name__}: {error}"
            m.notes.append(traceback.format_exc(limit=6))
            self.say(f"[{self.kind}] {name} FAILED: {m.error}")
        finally:
            m.seconds = time.perf_counter() - started
            m.load_after = load_average()

    def all(self, only: frozenset[str] = frozenset()) -> list[Measurement]:
        """Every stage, or those named in `only` (see `STAGES`)."""
        stages: dict[str, Callable[[], None]] = {
            "append": self.library_append,
            "http": self.http_commands_and_live,
            "stalls": lambda: throughput.command_stalls(self),
            "replay": self.replay_and_rebuild,
            "killed": lambda: killed_rebuild.serve_after_killed_rebuild(self),
            "cold": self.cold_start_and_as_of,
            "tree": self.tree_append,
            "many": lambda: many_inspections.many_inspections(self),
            "fold": self.fold_and_access_log_reads,
            "upload": lambda: fold.access_log_reads(self),
        }
        for stage, run in stages.items():
            if only and stage not in only:
                continue
            if stage == "upload" and (not only or "fold" in only):
                continue  # "fold" runs it after fold_browses
            if stage == "stalls" and self.plan.quick and not only:
                continue  # the quick run has it on the HTTP server
            run()
        order = (
            "library_append",
            "http_commands",
            "command_throughput",
            "thin_peer",
            "command_throughput_workers",
            "command_stalls",
            "http_commands_without_tree",
            "live_latency",
            "library_replay",
            "rebuild",
            "serve_after_killed_rebuild",
            "as_of",
            "cold_start",
            "tree_append",
            "verify",
            "many_inspections_small",
            "many_inspections",
            "fold_browses",
            "access_log_reads",
        )
        return [self.done[n] for n in order if n in self.done]

    def fold_and_access_log_reads(self) -> None:
        fold.fold_browses(self)
        fold.access_log_reads(self)

    # library_append ----------------------------------------------------------

    def library_append(self) -> None:
        with (
            self.measuring("library_append") as m,
            fresh_database(self.kind, "append", self.workdir) as url,
        ):
            rate = m.figure("events_per_s", "events/s", higher_is_better=True)
            for _ in range(self.plan.runs):
                rate.add(library.library_append(url, self.plan.append_seconds, 10**7))
            m.params = {
                "runs": self.plan.runs,
                "seconds_per_run": self.plan.append_seconds,
                "what": "eventsourcing Application.save() of one new aggregate "
                "(one event) per transaction, serially, settings as the product's",
            }

    # http_commands and live_latency ------------------------------------------

    def http_commands_and_live(self) -> None:
        with fresh_database(self.kind, "http", self.workdir) as url:
            stage: Stage | None = None
            server: Server | None = None
            with self.measuring("http_commands") as m:
                stage = stage_inspection(
                    url, self.plan.background_events, seed=1, deadline=self.deadline
                )
                # Every live stream is opened with one token (the auditor's):
                # the per-user limit is for people, not for this measurement.
                server = Server(url, self.workdir, max_streams_per_user="100000")
                server.wait_listening()
                asyncio.run(first_answer(server, stage, timeout=60))
                asyncio.run(self._http_commands(m, server, stage))
                base = self.done.get("library_append")  # not with --only http
                if base is not None and base.status == "measured":
                    m.ratio(
                        "throughput_vs_library_append",
                        "commands_per_s",
                        base,
                        "events_per_s",
                        1.0,
                        "throughput >= 1.0 x library_append",
                    )
                m.goal_at_most("p99_ms", 100.0, "p99 < 100 ms")
            try:
                if server is not None and stage is not None and server.alive():
                    throughput.command_throughput(self, server, stage)
                    if self.plan.quick:
                        throughput.command_stalls(self, server, stage)
                if server is not None and stage is not None and server.alive():
                    with self.measuring("live_latency") as lm:
                        asyncio.run(self._live(lm, server, stage))
            finally:
                if server is not None:
                    server.stop()
            if stage is not None:
                throughput.thin_peer(self, stage)
                throughput.command_throughput_workers(self, stage)
            if stage is not None and m.status == "measured":
                self._http_commands_without_tree(url, stage, m)

    def _http_commands_without_tree(
        self, url: str, stage: Stage, with_tree: Measurement
    ) -> None:
        """The same commands on the same database, served by the same build
        with the Merkle tree's append switched off (tests/benchmarks/
        without_tree.py): what the tree costs commands, side by side."""
        with self.measuring("http_commands_without_tree") as m:
            server = Server(
                url,
                self.workdir,
                module=("tests.benchmarks.without_tree", "serve"),
                max_streams_per_user="100000",
            )
            try:
                server.wait_listening()
                asyncio.run(first_answer(server, stage, timeout=60))
                asyncio.run(self._http_commands(m, server, stage))
            finally:
                server.stop()
            with_tree.ratio(
                "throughput_vs_without_tree",
                "commands_per_s",
                m,
                "commands_per_s",
                0.9,
                "the tree costs at most 10 % of command throughput",
            )

    async def _http_commands(
        self, m: Measurement, server: Server, stage: Stage
    ) -> None:
        plan = self.plan
        meetings = await schedule_meetings(server, stage, plan.clients)
        clients = [
            CommandClient(n, stage, meetings[n], Connection(HOST, server.port))
            for n in range(plan.clients)
        ]
        rate = m.figure("commands_per_s", "commands/s", higher_is_better=True)
        p50, p99 = m.figure("p50_ms", "ms"), m.figure("p99_ms", "ms")
        cpu = m.figure("server_cpu_ms_per_command", "ms")
        by_kind: dict[str, list[float]] = defaultdict(list)
        errors: list[str] = []
        total = 0
        try:
            # A short warm-up, not counted: connections, caches, code paths.
            await self._drive(clients, 0.7)
            for client in clients:
                client.samples.clear()
                client.errors.clear()
            for _ in range(plan.http_runs):
                cpu_before = server_cpu_seconds(server.pid)
                started = time.perf_counter()
                await self._drive(clients, plan.http_seconds)
                elapsed = time.perf_counter() - started
                cpu_used = server_cpu_seconds(server.pid) - cpu_before
                samples = [s for c in clients for s in c.samples]
                ok = [s for s in samples if s.status in (200, 201)]
                errors += [e for c in clients for e in c.errors]
                for client in clients:
                    client.samples.clear()
                    client.errors.clear()
                if not ok:
                    raise RuntimeError(f"no command succeeded: {errors[:3]}")
                total += len(samples)
                rate.add(len(ok) / elapsed)
                p50.add(percentile([s.ms for s in ok], 50))
                p99.add(percentile([s.ms for s in ok], 99))
                cpu.add(cpu_used * 1000 / len(ok))
                for s in ok:
                    by_kind[s.kind].append(s.ms)
        finally:
            for client in clients:
                await client.conn.close()
        m.params = {
            "clients": plan.clients,
            "runs": plan.http_runs,
            "seconds_per_run": plan.http_seconds,
            "commands": total,
            "errors": len(errors),
            "error_samples": errors[:5],
            "events_in_log_before": stage.last_position,
            "mix": list(CommandClient.STEPS),
            "p50_ms_by_command": {
                k: round(percentile(v, 50), 2) for k, v in sorted(by_kind.items())
            },
            "p99_ms_by_command": {
                k: round(percentile(v, 99), 2) for k, v in sorted(by_kind.items())
            },
        }
        if total and len(errors) > total * 0.01:
            raise RuntimeError(
                f"{len(errors)} of {total} commands failed: {errors[:3]}"
            )

    async def _drive(self, clients: list[CommandClient], seconds: float) -> None:
        deadline = time.perf_counter() + seconds
        await asyncio.gather(*(c.run(deadline, 1_000_000) for c in clients))

    async def _live(self, m: Measurement, server: Server, stage: Stage) -> None:
        per_stream = m.figure("kib_per_stream", "KiB")
        for n in self.plan.live_streams:
            result = await live.measure_streams(
                server,
                stage,
                n,
                self.plan.runs,
                self.plan.live_commands,
                timeout=30,
            )
            rounds = [r for r in result.rounds_ms if r]
            if not rounds:
                raise RuntimeError(f"no event arrived on any of {n} streams")
            for latencies in rounds:
                for key, value in live.summarise(latencies).items():
                    m.figure(f"n{n}_{key}", "ms").add(value)
            for latencies in result.rounds_from_request_ms:
                if latencies:
                    p99 = live.summarise(latencies)["p99_ms"]
                    m.figure(f"n{n}_from_request_p99_ms", "ms").add(p99)
            m.figure(f"n{n}_kib_per_stream", "KiB").add(result.kib_per_stream)
            m.figure(f"n{n}_kib_per_stream_connected", "KiB").add(
                result.kib_per_stream_connected
            )
            m.params[f"n{n}"] = {
                "rounds": self.plan.runs,
                "commands_per_round": self.plan.live_commands,
                "deliveries": sum(len(r) for r in rounds),
                "missed": result.missed,
                "connect_seconds": round(result.connect_seconds, 2),
            }
            if result.missed:
                m.notes.append(f"{result.missed} deliveries missed with {n} streams")
        # Small N is mostly allocator noise: the largest N says it best.
        largest_n = max(self.plan.live_streams)
        per_stream.add(m.figures[f"n{largest_n}_kib_per_stream"].median)
        smallest, largest = min(self.plan.live_streams), max(self.plan.live_streams)
        if smallest == 10:
            m.goal_at_most("n10_p99_ms", 10.0, "p99 < 10 ms at 10 streams")
        if largest == 1000:
            m.goal_at_most("n1000_p99_ms", 50.0, "p99 < 50 ms at 1,000 streams")
        else:
            m.notes.append(f"--quick stops at {largest} streams; 1,000 in the full run")
        m.goal_at_most("kib_per_stream", 64.0, "< 64 KiB per stream")
        m.params["what"] = (
            "one RecordRequest at a time; latency = arrival of its SSE id on a "
            "stream minus the arrival of the command's HTTP response (negative: "
            "the event beat the response); from_request: minus the moment the "
            "command was sent, an upper bound; memory = VmRSS growth / streams at the "
            "largest N, after the events went through"
        )

    # library_replay and rebuild ------------------------------------------------

    def replay_and_rebuild(self) -> None:
        with fresh_database(self.kind, "replay", self.workdir) as url:
            built: Stage | None = None
            with self.measuring("library_replay") as m:
                built = self._stage_many(url, self.plan.replay_events)
                m.params = {"events": built.last_position, "build": built.build}
            if built is None or m.status != "measured":
                return
            replay = m
            with self.measuring("rebuild") as r:
                app = WarRoom(Database.from_url(url))
                try:
                    # Interleaved, so that drift in the machine's load hits both.
                    for _ in range(self.plan.replay_runs):
                        count, replay_seconds = library.library_replay(app)
                        replay.figure(
                            "events_per_s", "events/s", higher_is_better=True
                        ).add(count / replay_seconds)
                        replay.figure("seconds", "s").add(replay_seconds)
                        started = time.perf_counter()
                        events = rebuild(app)[0].position
                        seconds = time.perf_counter() - started
                        # Let the read models go before the next replay: a heap
                        # of a million events' views would slow it (the GC).
                        gc.collect()
                        r.figure("events_per_s", "events/s", higher_is_better=True).add(
                            events / seconds
                        )
                        r.figure("seconds", "s").add(seconds)
                        # Each pair ran back to back: their ratio is the most
                        # robust to other work on the machine.
                        r.figure("paired_ratio", "x", higher_is_better=True).add(
                            (events / seconds) / (count / replay_seconds)
                        )
                finally:
                    app.close()
                r.params = {"events": events, "runs": self.plan.replay_runs}
                r.ratio(
                    "rate_vs_library_replay",
                    "events_per_s",
                    replay,
                    "events_per_s",
                    0.5,
                    "rebuild >= 0.5 x library_replay",
                )
            replay.params["runs"] = self.plan.replay_runs
            self.verify(url, replay)

    # the verifiable log ----------------------------------------------------------

    def verify(self, url: str, replay: Measurement) -> None:
        """`warroom verify` of the replay's log, interleaved with the library's
        replay of it; a proof and a checkpoint at that size."""
        with self.measuring("verify") as m:
            app = WarRoom(Database.from_url(url))
            try:
                for _ in range(self.plan.replay_runs):
                    count, replay_seconds = library.library_replay(app)
                    events, seconds, intact = evidence.verify_rate(app)
                    assert intact, "the benchmark's own log does not verify"
                    m.figure("events_per_s", "events/s", higher_is_better=True).add(
                        events / seconds
                    )
                    m.figure("seconds", "s").add(seconds)
                    m.figure("paired_ratio", "x", higher_is_better=True).add(
                        (events / seconds) / (count / replay_seconds)
                    )
                    gc.collect()
                proof_ms, checkpoint_ms = evidence.proof_and_checkpoint_ms(app, 200)
                m.figure("inclusion_proof_ms", "ms").add(proof_ms)
                m.figure("checkpoint_ms", "ms").add(checkpoint_ms)
            finally:
                app.close()
            m.params = {"events": events, "runs": self.plan.replay_runs}
            m.ratio(
                "rate_vs_library_replay",
                "events_per_s",
                replay,
                "events_per_s",
                0.5,
                "verify >= 0.5 x library_replay",
            )
            m.goal_at_most("inclusion_proof_ms", 20.0, "inclusion proof < 20 ms")
            m.goal_at_most("checkpoint_ms", 20.0, "checkpoint < 20 ms")

    def tree_append(self) -> None:
        with (
            self.measuring("tree_append") as m,
            fresh_database(self.kind, "tree", self.workdir) as url,
        ):
            for _ in range(self.plan.runs):
                with_tree, without = evidence.append_pair(url, self.plan.append_seconds)
                m.figure("with_tree_per_s", "events/s", higher_is_better=True).add(
                    with_tree
                )
                m.figure("without_tree_per_s", "events/s", higher_is_better=True).add(
                    without
                )
                m.figure("extra_ms_per_append", "ms").add(
                    1000 / with_tree - 1000 / without
                )
                m.figure("cost_pct", "%").add(100 * (1 - with_tree / without))
            m.params = {
                "runs": self.plan.runs,
                "seconds_per_run": self.plan.append_seconds,
                "what": "WarRoom.save() of one new aggregate per transaction, "
                "serially: with the tree, then with its append switched off, on "
                "the same database, run after run",
            }

    def _stage_many(self, url: str, events: int) -> Stage:
        """A log of several inspections of up to 100,000 events each."""
        per = min(events, 100_000)
        started = time.perf_counter()
        stage = stage_inspection(url, per, seed=2, deadline=self.deadline, batch=5000)
        remaining = events - (stage.last_position - stage.first_position + 1)
        app = WarRoom(Database.from_url(url))
        try:
            from tests.benchmarks.logbuilder import LogBuilder, open_inspection

            for number in range(1, 100):
                if remaining <= 0:
                    break
                ins = open_inspection(app, stage.cast, f"Inspection {number}")
                done = LogBuilder(app, stage.cast, ins, seed=2 + number).build(
                    min(per, remaining), 5000, self.deadline
                )
                remaining -= done.events
            stage.last_position = app.recorder.max_notification_id() or 0
        finally:
            app.close()
        seconds = time.perf_counter() - started
        stage.build = {
            "events": float(stage.last_position),
            "seconds": round(seconds, 1),
            "events_per_s": round(stage.last_position / seconds),
        }
        return stage

    # cold_start and as_of -------------------------------------------------------

    def cold_start_and_as_of(self) -> None:
        with fresh_database(self.kind, "inspection", self.workdir) as url:
            stage: Stage | None = None
            with self.measuring("cold_start") as m:
                stage = stage_inspection(
                    url, self.plan.inspection_events, seed=3, deadline=self.deadline
                )
                app = WarRoom(Database.from_url(url))
                try:
                    rebuild(app)  # the read models saved, as a running server does
                finally:
                    app.close()
                self._cold_start(m, url, stage)
            if stage is None or m.status != "measured":
                return
            with self.measuring("as_of") as a:
                server = Server(url, self.workdir)
                try:
                    server.wait_listening()
                    asyncio.run(first_answer(server, stage, timeout=120))
                    asyncio.run(self._as_of(a, server, stage))
                finally:
                    server.stop()
                a.goal_at_most("p95_ms", 100.0, "p95 < 100 ms")

    def _cold_start(self, m: Measurement, url: str, stage: Stage) -> None:
        events = stage.last_position
        for saved in (True, False):
            key = "first_answer_s" if saved else "no_saved_views_first_answer_s"
            listen_key = "listening_s" if saved else "no_saved_views_listening_s"
            for _ in range(self.plan.cold_start_runs):
                if not saved:
                    app = WarRoom(Database.from_url(url))
                    try:
                        app.store.reset_views(app.name)
                    finally:
                        app.close()
                with Server(url, self.workdir) as server:
                    listening = server.wait_listening()
                    answered = asyncio.run(first_answer(server, stage, timeout=300))
                m.figure(listen_key, "s").add(listening)
                m.figure(key, "s").add(answered)
        m.params = {
            "events": events,
            "runs": self.plan.cold_start_runs,
            "what": "Popen of `warroom serve` to the first 200 of GET "
            "/api/inspections/{id}?min_position=<last position>: a read that "
            "reflects every stored event. first_answer_s: read models saved by "
            "the previous run (a restart); no_saved_views_*: read models dropped, "
            "so the server folds the whole log in before answering",
        }
        m.goal_at_most("first_answer_s", 2.0, "< 2 s (restart, read models saved)")

    async def _as_of(self, m: Measurement, server: Server, stage: Stage) -> None:
        rng = random.Random(5)
        ins = stage.inspection
        routes = (
            "",
            "/requests?state=open",
            "/cases",
            "/lines-of-enquiry",
            "/ledger",
            "/schedule?day={day}",
        )
        conn = Connection(HOST, server.port, timeout=60)
        by_route: dict[str, list[float]] = defaultdict(list)
        first_ms: float | None = None
        span = (stage.last_instant - stage.first_instant).total_seconds()
        try:
            for _ in range(self.plan.as_of_rounds):
                round_ms: list[float] = []
                for number in range(self.plan.as_of_queries):
                    route = routes[number % len(routes)]
                    day = ins.starts_on + timedelta(days=rng.randrange(28))
                    path = f"/api/inspections/{ins.id}" + route.format(day=day)
                    path += "&" if "?" in path else "?"
                    if number % 2:
                        at = rng.randint(stage.first_position, stage.last_position)
                        path += f"at={at}"
                    else:
                        instant = stage.first_instant + timedelta(
                            seconds=rng.uniform(0, span)
                        )
                        path += "as_of=" + instant.isoformat().replace("+", "%2B")
                    started = time.perf_counter()
                    response = await conn.request(
                        "GET", path, bearer(stage.cast.tokens["auditor"])
                    )
                    ms = (response.received_at - started) * 1000
                    if response.status != 200:
                        raise RuntimeError(
                            f"GET {path}: {response.status} {response.body[:200]!r}"
                        )
                    if first_ms is None:
                        first_ms = ms
                    round_ms.append(ms)
                    by_route[route.split("?")[0] or "/"].append(ms)
                m.figure("p50_ms", "ms").add(percentile(round_ms, 50))
                m.figure("p95_ms", "ms").add(percentile(round_ms, 95))
                m.figure("max_ms", "ms").add(max(round_ms))
        finally:
            await conn.close()
        m.params = {
            "events_in_inspection": stage.last_position - stage.first_position + 1,
            "rounds": self.plan.as_of_rounds,
            "queries_per_round": self.plan.as_of_queries,
            "first_query_ms": round(first_ms or 0.0, 1),
            "p50_ms_by_route": {
                k: round(percentile(v, 50), 1) for k, v in sorted(by_route.items())
            },
            "p95_ms_by_route": {
                k: round(percentile(v, 95), 1) for k, v in sorted(by_route.items())
            },
            "what": "serial GETs on a server restarted with saved read models, "
            "half at=<random position>, half as_of=<random instant>, over the "
            "inspection, schedule, requests, cases, ledger and lines of enquiry",
        }
