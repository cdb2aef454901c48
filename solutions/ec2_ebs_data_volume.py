"""Reference solution: gp3 root, a separate gp3 data volume that survives termination, a snapshot."""

FAST = {"Delay": 1, "MaxAttempts": 120}


def tagged(name: str, resource_type: str) -> list:
    return [{"ResourceType": resource_type, "Tags": [{"Key": "Name", "Value": name}]}]


def find_instance(ec2, name: str):
    reservations = ec2.describe_instances(Filters=[
        {"Name": "tag:Name", "Values": [name]}, {"Name": "instance-state-name", "Values": ["pending", "running"]}
    ])["Reservations"]
    return next((i for r in reservations for i in r["Instances"]), None)


def launch(ec2, names):
    # The root volume is the only mapping here: the data volume is created on
    # its own so that its life is not tied to this launch.
    instance = ec2.run_instances(
        ImageId=names.ami, InstanceType=names.instance_type, MinCount=1, MaxCount=1,
        BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeType": "gp3", "VolumeSize": 8,
                                                                 "DeleteOnTermination": True}}],
        TagSpecifications=tagged(names.instance_name, "instance"),
    )["Instances"][0]
    ec2.get_waiter("instance_running").wait(InstanceIds=[instance["InstanceId"]], WaiterConfig=FAST)
    return instance


def data_volume(ec2, names, zone: str) -> dict:
    volumes = ec2.describe_volumes(Filters=[{"Name": "tag:Name", "Values": [names.volume_name]}])["Volumes"]
    if volumes:
        return volumes[0]
    # Same zone as the instance: a volume cannot attach across zones.
    volume = ec2.create_volume(AvailabilityZone=zone, Size=10, VolumeType="gp3",
                               TagSpecifications=tagged(names.volume_name, "volume"))
    ec2.get_waiter("volume_available").wait(VolumeIds=[volume["VolumeId"]], WaiterConfig=FAST)
    return volume


def solve(aws):
    ec2, names = aws.ec2, aws.names
    instance = find_instance(ec2, names.instance_name) or launch(ec2, names)
    instance_id = instance["InstanceId"]
    volume = data_volume(ec2, names, instance["Placement"]["AvailabilityZone"])
    if not volume.get("Attachments"):
        ec2.attach_volume(VolumeId=volume["VolumeId"], InstanceId=instance_id, Device=names.device)
        ec2.get_waiter("volume_in_use").wait(VolumeIds=[volume["VolumeId"]], WaiterConfig=FAST)
    # Say it explicitly rather than trust a default: this flag is what decides
    # whether the data outlives the instance.
    ec2.modify_instance_attribute(InstanceId=instance_id, BlockDeviceMappings=[
        {"DeviceName": names.device, "Ebs": {"DeleteOnTermination": False}}])
    snapshots = ec2.describe_snapshots(OwnerIds=["self"], Filters=[
        {"Name": "volume-id", "Values": [volume["VolumeId"]]}])["Snapshots"]
    if not snapshots:
        ec2.create_snapshot(VolumeId=volume["VolumeId"], Description=f"{names.volume_name} backup",
                            TagSpecifications=tagged(f"{names.volume_name}-backup", "snapshot"))
