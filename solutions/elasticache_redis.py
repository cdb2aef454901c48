"""Reference solution: a Redis replication group with a replica, failover and encryption."""

from botocore.exceptions import ClientError


def group_exists(elasticache, group: str) -> bool:
    try:
        elasticache.describe_replication_groups(ReplicationGroupId=group)
        return True
    except ClientError as error:
        if error.response["Error"]["Code"] == "ReplicationGroupNotFoundFault":
            return False
        raise


def solve(aws):
    group = aws.names.group
    if group_exists(aws.elasticache, group):  # a second create fails, and encryption is set only at creation
        return
    aws.elasticache.create_replication_group(
        ReplicationGroupId=group,
        ReplicationGroupDescription="web sessions",
        Engine="redis",
        CacheNodeType=aws.names.node_type,
        NumCacheClusters=2,              # a primary and a replica: failover needs someone to promote
        AutomaticFailoverEnabled=True,   # promote the replica when the primary fails
        AtRestEncryptionEnabled=True,    # snapshots and swap on disk
        TransitEncryptionEnabled=True,   # TLS to and between the nodes
    )
