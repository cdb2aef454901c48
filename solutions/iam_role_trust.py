"""Reference solution: one trusted principal, one managed policy, one instance profile."""

import json


def solve(aws):
    iam, names = aws.iam, aws.names
    # Only EC2 may knock: the trust policy names the service and nothing else.
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": names.service}, "Action": "sts:AssumeRole",
    }]})
    try:
        iam.create_role(RoleName=names.role, AssumeRolePolicyDocument=trust)
    except iam.exceptions.EntityAlreadyExistsException:
        iam.update_assume_role_policy(RoleName=names.role, PolicyDocument=trust)

    # A managed policy is maintained by AWS; attaching twice is a no-op.
    iam.attach_role_policy(RoleName=names.role, PolicyArn=f"arn:aws:iam::aws:policy/{names.policy}")

    # The API does not make the profile the console makes for you.
    try:
        iam.create_instance_profile(InstanceProfileName=names.profile)
    except iam.exceptions.EntityAlreadyExistsException:
        pass
    profile = iam.get_instance_profile(InstanceProfileName=names.profile)["InstanceProfile"]
    if names.role not in [role["RoleName"] for role in profile["Roles"]]:
        iam.add_role_to_instance_profile(InstanceProfileName=names.profile, RoleName=names.role)
