"""Near-misses and alternatives for beanstalk-instance-type."""

import json
import subprocess
import sys

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.beanstalk_instance_type import STACK

LAB = "beanstalk-instance-type"
NEW_TYPE = {"Namespace": "aws:ec2:instances", "OptionName": "InstanceTypes"}
OLD_TYPE = {"Namespace": "aws:autoscaling:launchconfiguration", "OptionName": "InstanceType"}


def with_template(aws, value="t3.small", option=NEW_TYPE):
    eb, names = aws.elasticbeanstalk, aws.names
    eb.create_application(ApplicationName=names.app)
    eb.create_configuration_template(ApplicationName=names.app, TemplateName=names.template, SolutionStackName=STACK,
                                     OptionSettings=[{**option, "Value": value}])


def type_set_on_environment_only(aws):
    eb, names = aws.elasticbeanstalk, aws.names
    eb.create_application(ApplicationName=names.app)
    eb.create_environment(ApplicationName=names.app, EnvironmentName=names.environment, SolutionStackName=STACK,
                          OptionSettings=[{**NEW_TYPE, "Value": names.instance_type}])


def template_not_used(aws):
    with_template(aws)
    aws.elasticbeanstalk.create_environment(ApplicationName=aws.names.app, EnvironmentName=aws.names.environment,
                                            SolutionStackName=STACK)


def overridden_at_creation(aws):
    with_template(aws)
    aws.elasticbeanstalk.create_environment(ApplicationName=aws.names.app, EnvironmentName=aws.names.environment,
                                            TemplateName=aws.names.template,
                                            OptionSettings=[{**NEW_TYPE, "Value": "t3.micro"}])


def wrong_type_in_template(aws):
    with_template(aws, value="t2.micro")
    aws.elasticbeanstalk.create_environment(ApplicationName=aws.names.app, EnvironmentName=aws.names.environment,
                                            TemplateName=aws.names.template)


def no_environment(aws):
    with_template(aws)


NEAR_MISSES = [
    NearMiss("instance type set on the environment, no saved configuration", step=2,
             expect="has no saved configuration", apply=type_set_on_environment_only),
    NearMiss("template saved but not used", step=3, expect="launched from no saved configuration",
             apply=template_not_used),
    NearMiss("template's type overridden at creation", step=4, expect="runs instance type t3.micro",
             apply=overridden_at_creation),
    NearMiss("wrong type in the template", step=2, expect="sets instance type t2.micro", apply=wrong_type_in_template),
    NearMiss("environment never created", step=3, expect="does not exist", apply=no_environment),
]


def launch_configuration_option(aws):
    """The older aws:autoscaling:launchconfiguration InstanceType option."""
    with_template(aws, option=OLD_TYPE)
    aws.elasticbeanstalk.create_environment(ApplicationName=aws.names.app, EnvironmentName=aws.names.environment,
                                            TemplateName=aws.names.template)


def aws_cli(aws):
    env, cli, names = aws.learner_env(), [sys.executable, "-m", "awscli"], aws.names

    def run(*args):
        subprocess.run([*cli, "elasticbeanstalk", *args], env=env, check=True, capture_output=True, text=True)

    run("create-application", "--application-name", names.app)
    run("create-configuration-template", "--application-name", names.app, "--template-name", names.template,
        "--solution-stack-name", STACK, "--option-settings",
        json.dumps([{**NEW_TYPE, "Value": f"{names.instance_type},t3.medium"}]))
    run("create-environment", "--application-name", names.app, "--environment-name", names.environment,
        "--template-name", names.template)


ALTERNATIVES = [
    Alternative("older launch configuration option", apply=launch_configuration_option),
    Alternative("AWS CLI with two instance types", apply=aws_cli),
]

test_near_miss = near_miss_test(LAB, NEAR_MISSES)
test_alternative = alternative_test(LAB, ALTERNATIVES)
