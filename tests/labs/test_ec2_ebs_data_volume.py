"""Near-misses and alternatives for ec2-ebs-data-volume."""

import json
import subprocess
import sys

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.ec2_ebs_data_volume import FAST, data_volume, launch, solve, tagged

CLI = [sys.executable, "-m", "awscli"]


def default_root(aws):
    """No mapping for the root device: the image's default (gp2 on the emulator)."""
    names = aws.names
    aws.ec2.run_instances(ImageId=names.ami, InstanceType=names.instance_type, MinCount=1, MaxCount=1,
                          TagSpecifications=tagged(names.instance_name, "instance"))
    solve(aws)


def volume_of_type(volume_type):
    def apply(aws):
        names = aws.names
        zone = launch(aws.ec2, names)["Placement"]["AvailabilityZone"]
        aws.ec2.create_volume(AvailabilityZone=zone, Size=10, VolumeType=volume_type,
                              TagSpecifications=tagged(names.volume_name, "volume"))
        solve(aws)
    return apply


def created_not_attached(aws):
    zone = launch(aws.ec2, aws.names)["Placement"]["AvailabilityZone"]
    data_volume(aws.ec2, aws.names, zone)


def attached_elsewhere(aws):
    names = aws.names
    other = aws.ec2.run_instances(ImageId=names.ami, InstanceType=names.instance_type, MinCount=1,
                                  MaxCount=1)["Instances"][0]
    volume = data_volume(aws.ec2, names, other["Placement"]["AvailabilityZone"])
    aws.ec2.attach_volume(VolumeId=volume["VolumeId"], InstanceId=other["InstanceId"], Device=names.device)
    launch(aws.ec2, names)


def deleted_on_termination(aws):
    solve(aws)
    instance_id = aws.ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": [aws.names.instance_name]}])[
        "Reservations"][0]["Instances"][0]["InstanceId"]
    aws.ec2.modify_instance_attribute(InstanceId=instance_id, BlockDeviceMappings=[
        {"DeviceName": aws.names.device, "Ebs": {"DeleteOnTermination": True}}])


def launched_with_data_volume_deleted_on_termination(aws):
    names = aws.names
    aws.ec2.run_instances(
        ImageId=names.ami, InstanceType=names.instance_type, MinCount=1, MaxCount=1,
        BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeType": "gp3", "VolumeSize": 8}},
                             {"DeviceName": names.device, "Ebs": {"VolumeType": "gp3", "VolumeSize": 10,
                                                                  "DeleteOnTermination": True}}],
        TagSpecifications=tagged(names.instance_name, "instance") + tagged(names.volume_name, "volume"))


def no_snapshot(aws):
    names = aws.names
    instance = launch(aws.ec2, names)
    volume = data_volume(aws.ec2, names, instance["Placement"]["AvailabilityZone"])
    aws.ec2.attach_volume(VolumeId=volume["VolumeId"], InstanceId=instance["InstanceId"], Device=names.device)


def snapshot_of_root(aws):
    no_snapshot(aws)
    instance = aws.ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": [aws.names.instance_name]}])[
        "Reservations"][0]["Instances"][0]
    aws.ec2.create_snapshot(VolumeId=instance["BlockDeviceMappings"][0]["Ebs"]["VolumeId"])


NEAR_MISSES = [
    NearMiss("no instance", step=1, expect="No instance tagged Name=lab-app-server", apply=lambda aws: None),
    NearMiss("default gp2 root", step=1, expect="has a gp2 root volume", apply=default_root),
    NearMiss("gp2 data volume", step=2, expect="is gp2; expected gp3", apply=volume_of_type("gp2")),
    NearMiss("no data volume", step=2, expect="No volume tagged", apply=lambda aws: launch(aws.ec2, aws.names)),
    NearMiss("volume created but not attached", step=2, expect="not attached", apply=created_not_attached),
    NearMiss("volume attached to another instance", step=2, expect="not to the instance tagged",
             apply=attached_elsewhere),
    NearMiss("data volume deleted on termination", step=3, expect="DeleteOnTermination true",
             apply=deleted_on_termination),
    NearMiss("launched with a data volume deleted on termination", step=3, expect="DeleteOnTermination true",
             apply=launched_with_data_volume_deleted_on_termination),
    NearMiss("no snapshot", step=4, expect="has no snapshot", apply=no_snapshot),
    NearMiss("snapshot of the root volume", step=4, expect="Only the root volume", apply=snapshot_of_root),
]


def cli(aws, *args) -> dict:
    out = subprocess.run([*CLI, "ec2", *args, "--output", "json"], env=aws.learner_env(), check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out) if out.strip() else {}


def aws_cli_data_volume_at_launch(aws):
    """Both volumes in run-instances' mappings (both get the volume tag), then a snapshot."""
    names = aws.names
    mappings = [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeType": "gp3", "VolumeSize": 8}},
                {"DeviceName": names.device, "Ebs": {"VolumeType": "gp3", "VolumeSize": 10,
                                                     "DeleteOnTermination": False}}]
    tags = [{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": names.instance_name}]},
            {"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": names.volume_name}]}]
    instance = cli(aws, "run-instances", "--image-id", names.ami, "--instance-type", names.instance_type,
                   "--count", "1", "--block-device-mappings", json.dumps(mappings),
                   "--tag-specifications", json.dumps(tags))["Instances"][0]
    data = next(m for m in instance["BlockDeviceMappings"] if m["DeviceName"] == names.device)
    cli(aws, "create-snapshot", "--volume-id", data["Ebs"]["VolumeId"], "--description", "data backup")


def resource_api(aws):
    names = aws.names
    ec2 = aws.resource("ec2")
    instance = ec2.create_instances(
        ImageId=names.ami, InstanceType=names.instance_type, MinCount=1, MaxCount=1,
        BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeType": "gp3", "VolumeSize": 16}}],
        TagSpecifications=tagged(names.instance_name, "instance"))[0]
    instance.wait_until_running(WaiterConfig=FAST)
    volume = ec2.create_volume(AvailabilityZone=instance.placement["AvailabilityZone"], Size=20, VolumeType="gp3",
                               Iops=4000, TagSpecifications=tagged(names.volume_name, "volume"))
    volume.attach_to_instance(InstanceId=instance.id, Device="/dev/sdh")  # another device name is fine
    volume.create_snapshot(Description="before the upgrade")


ALTERNATIVES = [
    Alternative("AWS CLI with the data volume in the launch mappings", apply=aws_cli_data_volume_at_launch),
    Alternative("resource API, other sizes and device", apply=resource_api),
]

test_near_miss = near_miss_test("ec2-ebs-data-volume", NEAR_MISSES)
test_alternative = alternative_test("ec2-ebs-data-volume", ALTERNATIVES)
