"""Near-misses and alternatives for ecs-fargate-service."""

import json
import subprocess
import sys

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.ecs_fargate_service import (
    TRUST, ensure_execution_role, ensure_log_group, lookup_network, register_task_definition, solve,
)


def network(aws, subnets=None):
    found, group = lookup_network(aws)
    return {"awsvpcConfiguration": {"subnets": subnets or found, "securityGroups": [group]}}


def service_with(aws, **overrides):
    """Everything right up to the service, which gets ``overrides``."""
    role = ensure_execution_role(aws)
    ensure_log_group(aws)
    aws.ecs.create_cluster(clusterName=aws.names.cluster)
    definition = register_task_definition(aws, role)
    params = dict(cluster=aws.names.cluster, serviceName=aws.names.service, taskDefinition=definition,
                  desiredCount=2, launchType="FARGATE", networkConfiguration=network(aws))
    aws.ecs.create_service(**{**params, **overrides})


def reregister(aws, change):
    """Solve, then register a newer revision broken by ``change(task_definition_kwargs)``."""
    solve(aws)
    latest = aws.ecs.describe_task_definition(taskDefinition=aws.names.family)["taskDefinition"]
    kwargs = {k: latest[k] for k in ("family", "containerDefinitions", "networkMode", "cpu", "memory",
                                     "requiresCompatibilities", "executionRoleArn") if k in latest}
    change(kwargs)
    aws.ecs.register_task_definition(**kwargs)


def without_logs(kwargs):
    kwargs["containerDefinitions"][0].pop("logConfiguration")


def ec2_only(kwargs):
    kwargs["requiresCompatibilities"] = ["EC2"]
    kwargs["networkMode"] = "bridge"


def no_port(kwargs):
    kwargs["containerDefinitions"][0]["portMappings"] = []


def missing_log_group(aws):
    solve(aws)
    aws.logs.delete_log_group(logGroupName=aws.names.log_group)


def default_vpc_subnets(aws):
    default = aws.ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    service_with(aws, networkConfiguration=network(aws, [s["SubnetId"] for s in default[:2]]))


def one_subnet(aws):
    service_with(aws, networkConfiguration=network(aws, lookup_network(aws)[0][:1]))


def role_trusts_ec2(aws):
    solve(aws)
    trust = json.loads(json.dumps(TRUST))
    trust["Statement"][0]["Principal"]["Service"] = "ec2.amazonaws.com"
    aws.iam.update_assume_role_policy(RoleName=aws.names.execution_role, PolicyDocument=json.dumps(trust))


NEAR_MISSES = [
    NearMiss("EC2 launch type", step=4, expect="launch type EC2",
             apply=lambda aws: service_with(aws, launchType="EC2")),
    NearMiss("desired count 1", step=4, expect="wants 1 task(s), not 2",
             apply=lambda aws: service_with(aws, desiredCount=1)),
    NearMiss("no log configuration", step=3, expect="log driver none", apply=lambda aws: reregister(aws, without_logs)),
    NearMiss("EC2-only task definition", step=3, expect="not FARGATE", apply=lambda aws: reregister(aws, ec2_only)),
    NearMiss("no port mapping", step=3, expect="container port 80", apply=lambda aws: reregister(aws, no_port)),
    NearMiss("log group never created", step=3, expect="does not exist", apply=missing_log_group),
    NearMiss("default VPC subnets", step=4, expect="not the lab's", apply=default_vpc_subnets),
    NearMiss("only one subnet", step=4, expect="not the lab's", apply=one_subnet),
    NearMiss("execution role trusts EC2", step=1, expect="must trust ecs-tasks.amazonaws.com", apply=role_trusts_ec2),
]


def capacity_provider_and_created_log_group(aws):
    """A Fargate capacity provider strategy, and awslogs creating its own group."""
    role = ensure_execution_role(aws)
    aws.ecs.create_cluster(clusterName=aws.names.cluster, capacityProviders=["FARGATE", "FARGATE_SPOT"])
    container = {"name": aws.names.container, "image": "nginx", "memory": 1024,
                 "portMappings": [{"containerPort": 80, "hostPort": 80}],
                 "logConfiguration": {"logDriver": "awslogs", "options": {
                     "awslogs-group": aws.names.log_group, "awslogs-region": "us-east-1",
                     "awslogs-stream-prefix": "app", "awslogs-create-group": "true"}}}
    arn = aws.ecs.register_task_definition(family=aws.names.family, requiresCompatibilities=["FARGATE"],
                                           networkMode="awsvpc", cpu="512", memory="1024",
                                           executionRoleArn=role, containerDefinitions=[container])
    aws.ecs.create_service(cluster=aws.names.cluster, serviceName=aws.names.service,
                           taskDefinition=arn["taskDefinition"]["taskDefinitionArn"], desiredCount=2,
                           capacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}],
                           networkConfiguration=network(aws))


def aws_cli(aws):
    env, cli, names = aws.learner_env(), [sys.executable, "-m", "awscli"], aws.names

    def run(*args):
        out = subprocess.run([*cli, *args, "--output", "json"], env=env, check=True, capture_output=True, text=True)
        return json.loads(out.stdout) if out.stdout.strip() else {}

    role = run("iam", "create-role", "--role-name", names.execution_role,
               "--assume-role-policy-document", json.dumps(TRUST))["Role"]["Arn"]
    run("iam", "attach-role-policy", "--role-name", names.execution_role, "--policy-arn",
        "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")
    run("logs", "create-log-group", "--log-group-name", names.log_group)
    run("ecs", "create-cluster", "--cluster-name", names.cluster)
    container = [{"name": names.container, "image": "public.ecr.aws/nginx/nginx:stable",
                  "portMappings": [{"containerPort": 80}],
                  "logConfiguration": {"logDriver": "awslogs", "options": {
                      "awslogs-group": names.log_group, "awslogs-region": "us-east-1",
                      "awslogs-stream-prefix": "web"}}}]
    run("ecs", "register-task-definition", "--family", names.family, "--requires-compatibilities", "FARGATE",
        "--network-mode", "awsvpc", "--cpu", "256", "--memory", "512", "--execution-role-arn", role,
        "--container-definitions", json.dumps(container))
    subnets = run("ec2", "describe-subnets", "--filters", f"Name=tag:Name,Values={names.subnet_a},{names.subnet_b}",
                  "--query", "Subnets[].SubnetId")
    group = run("ec2", "describe-security-groups", "--filters", f"Name=group-name,Values={names.security_group}",
                "--query", "SecurityGroups[0].GroupId")
    run("ecs", "create-service", "--cluster", names.cluster, "--service-name", names.service,
        "--task-definition", names.family, "--desired-count", "2", "--launch-type", "FARGATE",
        "--network-configuration",
        f"awsvpcConfiguration={{subnets=[{','.join(subnets)}],securityGroups=[{group}],assignPublicIp=ENABLED}}")


ALTERNATIVES = [
    Alternative("capacity provider strategy, awslogs-create-group", apply=capacity_provider_and_created_log_group),
    Alternative("AWS CLI, task-level memory only", apply=aws_cli),
]

test_near_miss = near_miss_test("ecs-fargate-service", NEAR_MISSES)
test_alternative = alternative_test("ecs-fargate-service", ALTERNATIVES)
