"""The moto extension for Elastic Beanstalk: saved configurations, versions, environments, CNAME swaps."""

import pytest
from botocore.exceptions import ClientError

STACK = "64bit Amazon Linux 2023 v4.6.0 running Python 3.12"
INSTANCE_TYPE = {"Namespace": "aws:autoscaling:launchconfiguration", "OptionName": "InstanceType"}


@pytest.fixture
def eb(lab_sandbox, emulator):
    if emulator.name != "moto":
        pytest.skip("moto extension")
    _, checker, _ = lab_sandbox("beanstalk-instance-type")
    client = checker.elasticbeanstalk
    client.create_application(ApplicationName="app")
    return client


def options(settings):
    return {(s["Namespace"], s["OptionName"]): s["Value"] for s in settings}


def test_template_saves_option_settings(eb):
    saved = eb.create_configuration_template(ApplicationName="app", TemplateName="small", SolutionStackName=STACK,
                                             OptionSettings=[{**INSTANCE_TYPE, "Value": "t3.small"}])
    assert saved["TemplateName"] == "small" and saved["SolutionStackName"] == STACK
    described = eb.describe_configuration_settings(ApplicationName="app", TemplateName="small")
    assert options(described["ConfigurationSettings"][0]["OptionSettings"]) == {
        ("aws:autoscaling:launchconfiguration", "InstanceType"): "t3.small"}


def test_template_errors_are_client_errors(eb):
    eb.create_configuration_template(ApplicationName="app", TemplateName="small", SolutionStackName=STACK)
    for kwargs in ({"TemplateName": "small", "SolutionStackName": STACK},  # exists
                   {"TemplateName": "no-stack"},  # no stack, no source
                   {"TemplateName": "copy", "SourceConfiguration": {"TemplateName": "missing"}}):
        with pytest.raises(ClientError) as raised:
            eb.create_configuration_template(ApplicationName="app", **kwargs)
        assert raised.value.response["Error"]["Code"] == "InvalidParameterValue"
    with pytest.raises(ClientError):
        eb.describe_configuration_settings(ApplicationName="app", TemplateName="missing")


def test_template_copies_another_template_and_deletes(eb):
    eb.create_configuration_template(ApplicationName="app", TemplateName="small", SolutionStackName=STACK,
                                     OptionSettings=[{**INSTANCE_TYPE, "Value": "t3.small"}])
    copy = eb.create_configuration_template(ApplicationName="app", TemplateName="copy",
                                            SourceConfiguration={"ApplicationName": "app", "TemplateName": "small"})
    assert copy["SolutionStackName"] == STACK and options(copy["OptionSettings"])
    eb.delete_configuration_template(ApplicationName="app", TemplateName="copy")
    with pytest.raises(ClientError):
        eb.describe_configuration_settings(ApplicationName="app", TemplateName="copy")


def test_environment_from_template_keeps_settings_and_overrides(eb):
    eb.create_configuration_template(ApplicationName="app", TemplateName="small", SolutionStackName=STACK,
                                     OptionSettings=[{**INSTANCE_TYPE, "Value": "t3.small"}])
    env = eb.create_environment(ApplicationName="app", EnvironmentName="env-1", TemplateName="small",
                                CNAMEPrefix="my-app", OptionSettings=[
                                    {"Namespace": "aws:autoscaling:asg", "OptionName": "MaxSize", "Value": "2"}])
    assert env["TemplateName"] == "small" and env["SolutionStackName"] == STACK
    assert env["CNAME"] == "my-app.us-east-1.elasticbeanstalk.com" and env["EnvironmentId"].startswith("e-")
    settings = eb.describe_configuration_settings(ApplicationName="app", EnvironmentName="env-1")
    assert options(settings["ConfigurationSettings"][0]["OptionSettings"]) == {
        ("aws:autoscaling:launchconfiguration", "InstanceType"): "t3.small", ("aws:autoscaling:asg", "MaxSize"): "2"}
    copied = eb.create_configuration_template(ApplicationName="app", TemplateName="from-env",
                                              EnvironmentId=env["EnvironmentId"])
    assert options(copied["OptionSettings"])[("aws:autoscaling:asg", "MaxSize")] == "2"


def test_environment_refuses_unknown_template_version_and_taken_cname(eb):
    eb.create_environment(ApplicationName="app", EnvironmentName="env-a", SolutionStackName=STACK, CNAMEPrefix="taken")
    for kwargs in ({"TemplateName": "missing"}, {"SolutionStackName": STACK, "VersionLabel": "v9"},
                   {"SolutionStackName": STACK, "CNAMEPrefix": "taken"}, {}):
        with pytest.raises(ClientError) as raised:
            eb.create_environment(ApplicationName="app", EnvironmentName="env-b", **kwargs)
        assert raised.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_versions_and_filtered_describe(eb):
    eb.create_application_version(ApplicationName="app", VersionLabel="v1",
                                  SourceBundle={"S3Bucket": "b", "S3Key": "v1.zip"})
    with pytest.raises(ClientError):
        eb.create_application_version(ApplicationName="app", VersionLabel="v1")
    versions = eb.describe_application_versions(ApplicationName="app")["ApplicationVersions"]
    assert [(v["VersionLabel"], v["SourceBundle"]["S3Key"]) for v in versions] == [("v1", "v1.zip")]
    eb.create_environment(ApplicationName="app", EnvironmentName="env-a", SolutionStackName=STACK, VersionLabel="v1")
    eb.create_environment(ApplicationName="app", EnvironmentName="env-b", SolutionStackName=STACK)
    found = eb.describe_environments(EnvironmentNames=["env-a"])["Environments"]
    assert [(e["EnvironmentName"], e["VersionLabel"]) for e in found] == [("env-a", "v1")]


def test_swap_exchanges_cnames_by_name_or_id(eb):
    blue = eb.create_environment(ApplicationName="app", EnvironmentName="blue", SolutionStackName=STACK,
                                 CNAMEPrefix="prod")
    green = eb.create_environment(ApplicationName="app", EnvironmentName="green", SolutionStackName=STACK,
                                  CNAMEPrefix="next")
    eb.swap_environment_cnames(SourceEnvironmentName="blue", DestinationEnvironmentName="green")
    cnames = {e["EnvironmentName"]: e["CNAME"] for e in eb.describe_environments()["Environments"]}
    assert cnames == {"blue": green["CNAME"], "green": blue["CNAME"]}
    eb.swap_environment_cnames(SourceEnvironmentId=blue["EnvironmentId"],
                               DestinationEnvironmentId=green["EnvironmentId"])
    cnames = {e["EnvironmentName"]: e["CNAME"] for e in eb.describe_environments()["Environments"]}
    assert cnames == {"blue": blue["CNAME"], "green": green["CNAME"]}
    with pytest.raises(ClientError):
        eb.swap_environment_cnames(SourceEnvironmentName="blue", DestinationEnvironmentName="missing")
