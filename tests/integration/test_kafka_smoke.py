"""Smoke test of the real Apache Kafka broker with the client the project uses (kafka-python 3.x).

It proves what the workers rely on: an idempotent producer with acks=all, a
consumer group that reads from the earliest offset, per-partition order by key,
and offsets committed for the group.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.serializer import DefaultSerializer, JsonSerializer

TIMEOUT_S = 30


def test_a_message_produced_to_the_broker_is_consumed_by_a_group(kafka_bootstrap: str) -> None:
    run = uuid.uuid4().hex[:12]
    topic = f"gongxiao.smoke.{run}"
    group = f"gongxiao-smoke-{run}"

    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap, request_timeout_ms=10_000)
    try:
        admin.create_topics(
            {topic: {"num_partitions": 3, "replication_factor": 1}},
            timeout_ms=10_000,
            wait_for_metadata=True,
        )

        # kafka-python 3 serializers are Serializer objects taking (topic, headers, data);
        # plain callables still work but are wrapped with a DeprecationWarning.
        producer = KafkaProducer(
            bootstrap_servers=kafka_bootstrap,
            acks="all",
            enable_idempotence=True,
            key_serializer=DefaultSerializer(),
            value_serializer=JsonSerializer(),
            max_block_ms=10_000,
            request_timeout_ms=10_000,
            delivery_timeout_ms=20_000,
        )
        sent: dict[int, list[tuple[str, dict]]] = defaultdict(list)
        try:
            for seq in range(6):
                key = f"lot-{seq % 2}"  # two keys: each one's messages share a partition
                value = {"lot": key, "seq": seq, "kind": "scanned"}
                meta = producer.send(topic, key=key, value=value).get(timeout=TIMEOUT_S)
                sent[meta.partition].append((key, value))
            producer.flush(timeout=TIMEOUT_S)
        finally:
            producer.close(timeout=TIMEOUT_S)

        consumer = KafkaConsumer(
            topic,
            bootstrap_servers=kafka_bootstrap,
            group_id=group,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            key_deserializer=DefaultSerializer(),
            value_deserializer=JsonSerializer(),
            request_timeout_ms=15_000,
            session_timeout_ms=10_000,
            heartbeat_interval_ms=1_000,
        )
        received: dict[int, list[tuple[str, dict]]] = defaultdict(list)
        try:
            deadline = time.monotonic() + TIMEOUT_S
            while sum(map(len, received.values())) < 6 and time.monotonic() < deadline:
                for tp, records in consumer.poll(timeout_ms=1_000).items():
                    received[tp.partition].extend((r.key, r.value) for r in records)

            assert dict(received) == dict(sent)  # same messages, same order within each partition

            consumer.commit(timeout_ms=10_000)
            for partition, messages in sent.items():
                committed = consumer.committed(TopicPartition(topic, partition), timeout_ms=10_000)
                assert committed == len(messages)
        finally:
            consumer.close(autocommit=False)
    finally:
        admin.delete_topics([topic], timeout_ms=10_000, raise_errors=False)
        admin.close()
