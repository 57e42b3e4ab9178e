"""A TCP proxy in front of a real server whose connections a test can cut: the browser's
sockets are reset as by a network failure, and new ones are refused until restored."""

from __future__ import annotations

import socket
import struct
import threading
from types import TracebackType


class CuttableProxy:
    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.passing = True
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while self.running:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.passing:
                _reset(client)
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=10)
            upstream.settimeout(None)
            with self.lock:
                self.sockets.update((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        for end in (source, target):
            with self.lock:
                self.sockets.discard(end)
            _reset(end)

    def cut(self) -> None:
        """Reset every proxied connection, and every new one until :meth:`restore`."""
        self.passing = False
        with self.lock:
            ends = list(self.sockets)
            self.sockets.clear()
        for end in ends:
            _reset(end)

    def restore(self) -> None:
        self.passing = True

    def close(self) -> None:
        self.running = False
        self.cut()
        self.listener.close()

    def __enter__(self) -> CuttableProxy:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _reset(end: socket.socket) -> None:
    """Close with an RST (linger 0), as a dropped link looks to the other side; the shutdown
    wakes the pump thread blocked reading it (a close alone would not)."""
    try:
        end.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        end.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    end.close()
