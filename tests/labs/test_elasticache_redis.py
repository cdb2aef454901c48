"""Near-misses and alternatives for elasticache-redis."""

import subprocess
import sys

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test


def create(aws, **overrides):
    params = dict(ReplicationGroupId=aws.names.group, ReplicationGroupDescription="web sessions", Engine="redis",
                  CacheNodeType=aws.names.node_type, NumCacheClusters=2, AutomaticFailoverEnabled=True,
                  AtRestEncryptionEnabled=True, TransitEncryptionEnabled=True)
    params.update(overrides)
    aws.elasticache.create_replication_group(**{k: v for k, v in params.items() if v is not None})


def memcached_cluster(aws):
    aws.elasticache.create_cache_cluster(CacheClusterId=aws.names.group, Engine="memcached",
                                         CacheNodeType=aws.names.node_type, NumCacheNodes=2)


def single_node(aws):
    create(aws, NumCacheClusters=1, AutomaticFailoverEnabled=False)


def shards_without_replicas(aws):
    """Cluster mode: three shards, but each of them a lone primary."""
    create(aws, NumCacheClusters=None, NumNodeGroups=3, ReplicasPerNodeGroup=0)


def failover_off(aws):
    create(aws, AutomaticFailoverEnabled=False)


def failover_turned_off_later(aws):
    create(aws)
    aws.elasticache.modify_replication_group(ReplicationGroupId=aws.names.group, AutomaticFailoverEnabled=False,
                                             ApplyImmediately=True)


def no_transit_encryption(aws):
    create(aws, TransitEncryptionEnabled=None)


def no_encryption_at_rest(aws):
    create(aws, AtRestEncryptionEnabled=False)


NEAR_MISSES = [
    NearMiss("Memcached cluster instead", step=1, expect="standalone memcached cache cluster", apply=memcached_cluster),
    NearMiss("single node", step=2, expect="1 node per shard", apply=single_node),
    NearMiss("three shards without replicas", step=2, expect="1 node per shard", apply=shards_without_replicas),
    NearMiss("automatic failover off", step=3, expect="automatic failover disabled", apply=failover_off),
    NearMiss("failover switched off after creation", step=3, expect="automatic failover disabled",
             apply=failover_turned_off_later),
    NearMiss("no encryption in transit", step=4, expect="not encrypted in transit", apply=no_transit_encryption),
    NearMiss("no encryption at rest", step=4, expect="not encrypted at rest", apply=no_encryption_at_rest),
]


def cluster_mode_enabled(aws):
    """Three shards with one replica each, Multi-AZ, Valkey."""
    create(aws, NumCacheClusters=None, Engine="valkey", NumNodeGroups=3, ReplicasPerNodeGroup=1,
           MultiAZEnabled=True, CacheParameterGroupName=None)


def aws_cli(aws):
    subprocess.run([sys.executable, "-m", "awscli", "elasticache", "create-replication-group",
                    "--replication-group-id", aws.names.group, "--replication-group-description", "sessions",
                    "--engine", "redis", "--cache-node-type", aws.names.node_type, "--num-cache-clusters", "3",
                    "--automatic-failover-enabled", "--multi-az-enabled", "--at-rest-encryption-enabled",
                    "--transit-encryption-enabled"], env=aws.learner_env(), check=True, capture_output=True)


ALTERNATIVES = [
    Alternative("cluster mode enabled, Valkey, Multi-AZ", apply=cluster_mode_enabled),
    Alternative("AWS CLI with three nodes", apply=aws_cli),
]

test_near_miss = near_miss_test("elasticache-redis", NEAR_MISSES)
test_alternative = alternative_test("elasticache-redis", ALTERNATIVES)
