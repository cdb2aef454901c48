"""Checker for ec2-ebs-data-volume: gp3 root, attached gp3 data volume, kept on termination, snapshot."""

from labrunner.grading import failed, passed, steps

LAB_NEEDS = ("ec2_instance_attributes",)  # the learner must call ModifyInstanceAttribute

LIVE_STATES = ["pending", "running", "stopping", "stopped"]


def check(aws):
    yield from steps(aws, root_volume_is_gp3, data_volume_attached, data_volume_kept, data_volume_snapshot)


def instance(aws):
    """The lab's instance (not terminated), or None."""
    reservations = aws.ec2.describe_instances(Filters=[
        {"Name": "tag:Name", "Values": [aws.names.instance_name]},
        {"Name": "instance-state-name", "Values": LIVE_STATES}])["Reservations"]
    found = [i for r in reservations for i in r["Instances"]]
    return found[0] if found else None


def root_mapping(found: dict) -> dict | None:
    """The root device's mapping (moto may name it /dev/sda1 while reporting /dev/xvda: then the first one)."""
    mappings = found.get("BlockDeviceMappings", [])
    named = [m for m in mappings if m["DeviceName"] == found.get("RootDeviceName")]
    return (named or mappings or [None])[0]


def volume(aws, volume_id: str) -> dict:
    return aws.ec2.describe_volumes(VolumeIds=[volume_id])["Volumes"][0]


def root_volume_is_gp3(aws):
    name = aws.names.instance_name
    found = instance(aws)
    if found is None:
        return failed(f"No instance tagged Name={name} is running; launch one from {aws.names.ami}.")
    root = root_mapping(found)
    if root is None:
        return failed(f"Instance {found['InstanceId']} ({name}) reports no EBS root volume.")
    root_type = volume(aws, root["Ebs"]["VolumeId"])["VolumeType"]
    if root_type != "gp3":
        return failed(f"Instance {found['InstanceId']} ({name}) has a {root_type} root volume; expected gp3.",
                      hint="Give run_instances a block device mapping for /dev/xvda with VolumeType gp3.")
    return passed(f"Instance {found['InstanceId']} ({name}) runs on a gp3 root volume.")


def data_volume(aws, found: dict | None) -> dict | None:
    """The volume tagged with the data volume's name that is not the instance's root volume."""
    root = root_mapping(found) if found else None
    root_id = root["Ebs"]["VolumeId"] if root else None
    volumes = aws.ec2.describe_volumes(Filters=[{"Name": "tag:Name", "Values": [aws.names.volume_name]}])["Volumes"]
    others = [v for v in volumes if v["VolumeId"] != root_id]
    attached = [v for v in others if found and any(a["InstanceId"] == found["InstanceId"]
                                                   for a in v.get("Attachments", []))]
    return (attached or others or [None])[0]


def data_volume_attached(aws):
    name, found = aws.names.volume_name, instance(aws)
    data = data_volume(aws, found)
    if data is None:
        return failed(f"No volume tagged Name={name} exists apart from the root volume; create a gp3 data volume.")
    if data["VolumeType"] != "gp3":
        return failed(f"Data volume {data['VolumeId']} ({name}) is {data['VolumeType']}; expected gp3.")
    attachments = data.get("Attachments", [])
    if not attachments:
        return failed(f"Data volume {data['VolumeId']} ({name}) is {data['State']} but not attached to any "
                      f"instance; attach it to {aws.names.instance_name}.")
    if found is None or attachments[0]["InstanceId"] != found["InstanceId"]:
        return failed(f"Data volume {data['VolumeId']} ({name}) is attached to {attachments[0]['InstanceId']}, "
                      f"not to the instance tagged {aws.names.instance_name}.")
    return passed(f"Data volume {data['VolumeId']} ({name}, gp3, {data['Size']} GiB) is attached to "
                  f"{found['InstanceId']} as {attachments[0]['Device']}.")


def data_volume_kept(aws):
    name, found = aws.names.volume_name, instance(aws)
    data = data_volume(aws, found)
    # EMULATORS.md trap 5: the per-device flag is reported by describe_instances only.
    mapping = next((m for m in (found or {}).get("BlockDeviceMappings", [])
                    if data and m["Ebs"]["VolumeId"] == data["VolumeId"]), None)
    if mapping is None:
        return failed(f"The instance tagged {aws.names.instance_name} has no attachment of a volume tagged {name}, "
                      "so there is no DeleteOnTermination flag to check.")
    if mapping["Ebs"].get("DeleteOnTermination", True):
        return failed(f"Data volume {data['VolumeId']} ({name}) is attached as {mapping['DeviceName']} with "
                      "DeleteOnTermination true: terminating the instance would delete its data.",
                      hint="modify_instance_attribute with a BlockDeviceMappings entry for the device.")
    return passed(f"Data volume {data['VolumeId']} ({name}) has DeleteOnTermination false and outlives the instance.")


def snapshots_of(aws, volume_id: str) -> list:
    return aws.ec2.describe_snapshots(OwnerIds=["self"], Filters=[
        {"Name": "volume-id", "Values": [volume_id]}])["Snapshots"]


def data_volume_snapshot(aws):
    name, found = aws.names.volume_name, instance(aws)
    data = data_volume(aws, found)
    if data is None:
        return failed(f"No volume tagged Name={name} exists, so it has no snapshot.")
    taken = [s for s in snapshots_of(aws, data["VolumeId"]) if s.get("State") in ("pending", "completed")]
    if taken:
        return passed(f"Data volume {data['VolumeId']} ({name}) has snapshot {taken[0]['SnapshotId']} "
                      f"({taken[0]['State']}).")
    root = root_mapping(found) if found else None
    if root and snapshots_of(aws, root["Ebs"]["VolumeId"]):
        return failed(f"Only the root volume {root['Ebs']['VolumeId']} has a snapshot; expected one of the data "
                      f"volume {data['VolumeId']} ({name}).")
    return failed(f"Data volume {data['VolumeId']} ({name}) has no snapshot; create one with CreateSnapshot.")
