"""lessons/nodes.py, the harness that starts RabbitMQ nodes of a lesson's own: its trouble paths."""

import socket
import time

import pytest

from lessons import nodes

# The nodes come from the install that matches the broker under test: run on both CI legs.
pytestmark = pytest.mark.broker
LESSON_LOCK = 25  # the ports of lesson 25's nodes


def test_ports_taken_are_named_in_one_sentence_and_nothing_starts():
    cluster = nodes.Nodes(2, base_port=5681, prefix="tnodes", plugins=())
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 5682))
        holder.listen()
        with pytest.raises(nodes.NodeError) as raised:
            cluster.start_all()
    assert str(raised.value).startswith("Port 5682 (wanted by tnodes2@localhost) is already taken on 127.0.0.1")
    assert all(node.folder is None for node in cluster)
    assert not [name for name in nodes.registered_nodes() if name.startswith("tnodes")]


@pytest.mark.timeout(120)
def test_a_node_that_cannot_boot_says_so_at_once():
    node = nodes.Node("tnodesbad", 5681, nodes.install_for_shared_broker(), plugins=(),
                      config="managment.tcp.port = 15681")  # a typo: RabbitMQ refuses to boot
    started = time.monotonic()
    try:
        with pytest.raises(nodes.NodeError, match="stopped while it was booting"):
            node.start()
        print(f"said so after {time.monotonic() - started:.1f} s")  # reported, not asserted
        assert (node.folder / "rabbitmq.conf").is_file()
    finally:
        node.stop()
    assert node.folder is None and "tnodesbad" not in nodes.registered_nodes()
