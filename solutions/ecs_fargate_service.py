"""Reference solution: a Fargate service of two tasks in the lab's subnets, logging to CloudWatch."""

import json

from botocore.exceptions import ClientError

TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"


def ensure_execution_role(aws) -> str:
    """Fargate pulls the image and ships logs as this role, not as the application."""
    name = aws.names.execution_role
    try:
        arn = aws.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "EntityAlreadyExists":
            raise
        arn = aws.iam.get_role(RoleName=name)["Role"]["Arn"]
    aws.iam.attach_role_policy(RoleName=name, PolicyArn=EXECUTION_POLICY)
    return arn


def ensure_log_group(aws) -> None:
    try:
        aws.logs.create_log_group(logGroupName=aws.names.log_group)
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceAlreadyExistsException":
            raise


def lookup_network(aws) -> tuple[list[str], str]:
    """The lab's setup tagged its subnets and named its security group: find them by name."""
    names = aws.names
    subnets = aws.ec2.describe_subnets(Filters=[{"Name": "tag:Name", "Values": [names.subnet_a, names.subnet_b]}])
    groups = aws.ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [names.security_group]}])
    return [s["SubnetId"] for s in subnets["Subnets"]], groups["SecurityGroups"][0]["GroupId"]


def register_task_definition(aws, role_arn: str) -> str:
    names = aws.names
    return aws.ecs.register_task_definition(
        family=names.family,
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",  # the only network mode Fargate offers: each task gets its own ENI
        cpu="256", memory="512",  # Fargate sizes tasks, so both are set at task level
        executionRoleArn=role_arn,
        containerDefinitions=[{
            "name": names.container, "image": "public.ecr.aws/nginx/nginx:stable", "essential": True,
            "memory": 512,
            "portMappings": [{"containerPort": 80, "protocol": "tcp"}],
            "logConfiguration": {"logDriver": "awslogs", "options": {
                "awslogs-group": names.log_group, "awslogs-region": aws.region, "awslogs-stream-prefix": "web"}},
        }],
    )["taskDefinition"]["taskDefinitionArn"]


def ensure_service(aws, task_definition: str, subnets: list[str], group: str) -> None:
    names = aws.names
    network = {"awsvpcConfiguration": {"subnets": subnets, "securityGroups": [group], "assignPublicIp": "ENABLED"}}
    found = aws.ecs.describe_services(cluster=names.cluster, services=[names.service])["services"]
    if any(s["status"] == "ACTIVE" for s in found):
        aws.ecs.update_service(cluster=names.cluster, service=names.service, taskDefinition=task_definition,
                               desiredCount=2, networkConfiguration=network)
        return
    aws.ecs.create_service(cluster=names.cluster, serviceName=names.service, taskDefinition=task_definition,
                           desiredCount=2, launchType="FARGATE", networkConfiguration=network)


def solve(aws):
    names = aws.names
    role_arn = ensure_execution_role(aws)
    ensure_log_group(aws)
    aws.ecs.create_cluster(clusterName=names.cluster)  # returns the existing cluster when called again
    task_definition = register_task_definition(aws, role_arn)
    subnets, group = lookup_network(aws)
    # Two tasks spread over two subnets (two AZs) survive the loss of one zone.
    ensure_service(aws, task_definition, subnets, group)
