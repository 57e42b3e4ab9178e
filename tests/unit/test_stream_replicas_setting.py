"""CROUPIER_STREAM_REPLICAS: the copies JetStream keeps of the event stream (1 by default,
3 on the three-node NATS cluster of ``croupier cluster up``), bounded, refused when bad."""

from __future__ import annotations

import pytest

from croupier.config import ConfigError, load_settings


def test_the_default_is_one_copy_and_a_cluster_asks_for_three() -> None:
    assert load_settings({}).realtime.stream_replicas == 1
    assert load_settings({"CROUPIER_STREAM_REPLICAS": "3"}).realtime.stream_replicas == 3


@pytest.mark.parametrize("bad", ["0", "6", "three", "-1"])
def test_a_bad_count_is_refused_naming_the_variable(bad: str) -> None:
    with pytest.raises(ConfigError, match="CROUPIER_STREAM_REPLICAS"):
        load_settings({"CROUPIER_STREAM_REPLICAS": bad})
