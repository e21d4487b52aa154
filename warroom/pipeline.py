"""psycopg's pipeline, its commands all sent before it waits for their results.

The library appends in pipeline mode: the events' INSERT, the tree's rows and
a Sync go out together, then the results are read. psycopg 3.3 sends a
pipeline's commands with one `PQflush` each time the socket can take more,
and once no command is left to queue it stops and waits for results, even
when libpq still holds unsent bytes (`PQflush` answered 1: psycopg issue
#685, open). A large append (an access log at its 50,000-row limit: several
MB of parameters) that the socket could not take at once then waits for
results of a command the server has not had in full: the server waits for
the rest (`ClientRead`, state `active`), psycopg for results (its thread in
`Pipeline.sync`), for good. Seen for 12 minutes in a benchmark; reproduced
here on the first 50,000-row upload with a reader running on a loaded
machine, and every time with a 4 KiB socket send buffer.

So every pipeline of the war room's connections, after psycopg has sent what
it sends, sends the rest before anything waits for a result, reading what the
server answers meanwhile so that neither side's buffer fills.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from psycopg import Connection, Pipeline
from psycopg.abc import PQGen
from psycopg.pq.abc import PGconn
from psycopg.rows import DictRow
from psycopg.waiting import Ready, Wait


class FlushedPipeline(Pipeline):
    """A pipeline whose every exchange leaves nothing unsent."""

    def _communicate_gen(self) -> PQGen[None]:
        yield from super()._communicate_gen()
        yield from sent_whole(self.pgconn)


def sent_whole(pgconn: PGconn) -> PQGen[None]:
    """Waits until libpq has sent all it holds, taking in what comes back."""
    while pgconn.flush() == 1:  # libpq still holds output
        ready = yield Wait.RW
        if ready & Ready.R:
            # The server may answer earlier commands meanwhile: read it into
            # libpq's buffer (psycopg takes the results from there), so that
            # the server is never stuck writing to us while we write to it.
            pgconn.consume_input()


class FlushedConnection(Connection[DictRow]):
    """A connection whose pipelines are `FlushedPipeline`s."""

    @contextmanager
    def pipeline(self) -> Iterator[Pipeline]:
        # psycopg's own `Connection.pipeline`, making a FlushedPipeline.
        with self.lock:
            self._check_connection_ok()
            if (pipeline := self._pipeline) is None:
                pipeline = self._pipeline = FlushedPipeline(self)
        try:
            with pipeline:
                yield pipeline
        finally:
            if pipeline.level == 0:
                with self.lock:
                    assert pipeline is self._pipeline
                    self._pipeline = None
