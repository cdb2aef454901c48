"""The measured capability matrix of moto and ministack (see /work/shared/EMULATORS.md).

Kept apart from the adapters so that adding a probe and a declaration is one
reviewable change; tests/engine/test_capabilities.py probes every entry.
"""

LAB_SERVICES = frozenset({
    "apigateway", "apigatewayv2", "cloudformation", "cloudwatch", "codebuild", "cognito-idp", "dynamodb",
    "dynamodbstreams", "ec2", "ecs", "elasticache", "iam", "kinesis", "kms", "lambda", "logs", "rds", "s3",
    "secretsmanager", "sns", "sqs", "ssm", "sts",
})

MOTO_SERVICES = LAB_SERVICES | {"application-autoscaling", "codedeploy", "codepipeline", "dax",
                                "elasticbeanstalk", "xray"}
MOTO_FEATURES = frozenset({"journal", "iam_enforcement", "lambda_code", "redis_cache", "beanstalk_swap",
                           "unsigned_sandbox_calls", "ec2_instance_attributes", "rds_option_groups",
                           "sandbox_iam_users", "stream_shard_rollover", "alarm_metrics_form",
                           "rds_public_by_default", "sqs_wait_limit", "state_reset"})

# ministack 1.5.33 answers "Unsupported service" for xray, codedeploy, codepipeline, elasticbeanstalk,
# application-autoscaling and dax.
# lambda_execution: Invoke runs Python handlers in warm workers of ministack's own interpreter, in the function's
# account (key id = account id) against ministack itself, and checkers invoke through it (lambda_invoke).  Two
# cases stay on lambda_code's local run: an interpreter without boto3 (the launcher reports `lambda_boto3`; every
# lab handler imports it) and a version whose variables redirect the SDK (ministack lets AWS_ENDPOINT_URL win).
# Where it differs from AWS: one shard per DynamoDB stream, alarms lose their Metrics form, no AWS-managed KMS
# keys (SSE-KMS without a key id is refused), RDS instances private when PubliclyAccessible is left out, and
# ReceiveMessage accepts WaitTimeSeconds above 20.
MINISTACK_SERVICES = LAB_SERVICES
MINISTACK_FEATURES = frozenset({"lambda_code", "lambda_execution", "lambda_recursion_config",
                                "callable_api_routes", "deployment_snapshots", "iam_policy_simulation",
                                "global_tables", "state_reset"})

# localstack-core 2026.3.0 on the host, offline: DynamoDB downloads Java at runtime, Lambda functions end in
# state Failed (they need Docker); RDS, ElastiCache, Cognito, ECS, CodeBuild, CodePipeline and X-Ray are "not
# included in your license".
LOCALSTACK_CORE_SERVICES = frozenset({"s3", "sts", "iam", "sqs", "sns", "ssm", "kms", "secretsmanager",
                                      "cloudwatch", "logs", "apigateway", "cloudformation", "ec2", "kinesis",
                                      "dynamodbstreams"})
LOCALSTACK_CORE_FEATURES = frozenset({"callable_api_routes", "lambda_recursion_config", "ec2_instance_attributes",
                                      "alarm_metrics_form", "sqs_wait_limit"})
