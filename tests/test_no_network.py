"""Tests cannot reach the network: a socket may connect only to this machine (pytest-socket)."""

from __future__ import annotations

import socket

import pytest
from pytest_socket import SocketConnectBlockedError


def test_a_connection_to_another_host_is_blocked():
    # 0.0.0.0 is not in the allowed list; were the guard missing, Linux would route it to this machine,
    # so this test sends nothing off the machine whatever happens.
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
        pytest.warns(UserWarning, match='host "0.0.0.0"'),
        pytest.raises(SocketConnectBlockedError),
    ):
        sock.connect(("0.0.0.0", 9))  # noqa: S104


def test_a_connection_to_this_machine_is_allowed():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=5):
            pass
