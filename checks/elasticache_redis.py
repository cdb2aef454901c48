"""Checker for elasticache-redis: a Redis replication group with a replica, failover and encryption."""

import re

from botocore.exceptions import ClientError

from labrunner.grading import failed, passed, steps

REDIS_ENGINES = ("redis", "valkey")


def check(aws):
    yield from steps(aws, redis_group_exists, has_a_replica, failover_enabled, encrypted)


def replication_group(aws) -> dict | None:
    try:
        groups = aws.elasticache.describe_replication_groups(ReplicationGroupId=aws.names.group)
    except ClientError as error:
        if error.response["Error"]["Code"] == "ReplicationGroupNotFoundFault":
            return None
        raise
    group = groups["ReplicationGroups"][0]
    return None if group.get("Status") in ("deleting", "deleted") else group


def cache_cluster(aws) -> dict | None:
    """A standalone cache cluster with the group's name: the usual wrong turn."""
    try:
        return aws.elasticache.describe_cache_clusters(CacheClusterId=aws.names.group)["CacheClusters"][0]
    except ClientError:
        return None


def missing(aws):
    cluster = cache_cluster(aws)
    if cluster is not None:
        return failed(f"There is no replication group {aws.names.group}, only a standalone "
                      f"{cluster.get('Engine', '')} cache cluster of that name; replicas, failover and encryption "
                      "need a Redis replication group (CreateReplicationGroup).")
    return failed(f"Replication group {aws.names.group} does not exist yet; create it with CreateReplicationGroup.")


def redis_group_exists(aws):
    group = replication_group(aws)
    if group is None:
        return missing(aws)
    engine = group.get("Engine", "redis")  # older responses omit Engine: replication groups were Redis-only
    if engine not in REDIS_ENGINES:
        return failed(f"Replication group {aws.names.group} runs engine {engine}; expected redis.")
    return passed(f"Replication group {aws.names.group} exists with engine {engine}.")


RECREATE = "Delete the group and create it again with NumCacheClusters=2."


def nodes_per_shard(group: dict) -> int:
    """The fewest nodes any shard has: every shard needs its own replica to fail over."""
    return min((len(node_group.get("NodeGroupMembers", [])) for node_group in group.get("NodeGroups", [])),
               default=0)


def requested_nodes_per_shard(aws) -> int | None:
    """Nodes per shard the learner asked for in the last successful CreateReplicationGroup, or None."""
    creates = [c for c in aws.journal.calls("CreateReplicationGroup", succeeded=True)
               if c.params.get("ReplicationGroupId") == aws.names.group]
    if not creates:
        return None
    params = creates[-1].params
    if "NumCacheClusters" in params:
        return int(params["NumCacheClusters"])
    replicas = [int(v) for k, v in params.items()
                if k == "ReplicasPerNodeGroup" or re.fullmatch(r"NodeGroupConfiguration\.\w+\.\d+\.ReplicaCount", k)]
    return 1 + min(replicas) if replicas else 1


def has_a_replica(aws):
    name = aws.names.group
    group = replication_group(aws)
    if group is None:
        return failed(f"Replication group {name} does not exist, so it has no replica.")
    nodes = nodes_per_shard(group)
    if nodes >= 2:
        return passed(f"Replication group {name} has {nodes} nodes per shard: a primary and replicas.")
    if not aws.backend.journal:
        return failed(f"Replication group {name} has {nodes} node per shard; expected a primary and at least "
                      "one replica (NumCacheClusters=2 or ReplicasPerNodeGroup=1).",
                      hint=RECREATE)
    nodes = requested_nodes_per_shard(aws)  # moto builds one member whatever was asked: grade the request
    if nodes is None:
        return failed(f"The call journal holds no successful CreateReplicationGroup for {name}, so the number of "
                      "nodes you asked for is unknown; create the group yourself with NumCacheClusters=2.")
    if nodes < 2:
        return failed(f"Replication group {name} was created with {nodes} node per shard; expected a primary and at "
                      "least one replica (NumCacheClusters=2 or ReplicasPerNodeGroup=1).",
                      hint=RECREATE)
    return passed(f"Replication group {name} was requested with {nodes} nodes per shard (moto builds one, the "
                  "request is what counts here).")


def failover_enabled(aws):
    group = replication_group(aws)
    if group is None:
        return failed(f"Replication group {aws.names.group} does not exist, so it cannot fail over.")
    state = group.get("AutomaticFailover", "disabled")
    if state not in ("enabled", "enabling"):
        return failed(f"Replication group {aws.names.group} has automatic failover {state}; expected enabled.",
                      hint="modify_replication_group(..., AutomaticFailoverEnabled=True, ApplyImmediately=True).")
    return passed(f"Replication group {aws.names.group} has automatic failover {state}.")


def encrypted(aws):
    group = replication_group(aws)
    if group is None:
        return failed(f"Replication group {aws.names.group} does not exist, so it is not encrypted.")
    missing_kinds = [kind for kind, key in (("at rest", "AtRestEncryptionEnabled"),
                                            ("in transit", "TransitEncryptionEnabled")) if not group.get(key)]
    if missing_kinds:
        return failed(f"Replication group {aws.names.group} is not encrypted {' or '.join(missing_kinds)}; expected "
                      "encryption both at rest and in transit.",
                      hint="Both are set at creation: delete the group and create it again with "
                      "AtRestEncryptionEnabled and TransitEncryptionEnabled.")
    return passed(f"Replication group {aws.names.group} is encrypted at rest and in transit.")
