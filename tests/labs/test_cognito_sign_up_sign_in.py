"""Near-misses and alternatives for cognito-sign-up-sign-in."""

import json
import subprocess
import sys

from labrunner.testing import Alternative, NearMiss, alternative_test, near_miss_test
from solutions.cognito_sign_up_sign_in import PASSWORD_POLICY, find_client_id, find_pool_id, solve

FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def build(aws, policy=PASSWORD_POLICY, secret=False, flows=FLOWS, user="sign-up", password=None, client=None):
    """The learner's steps, each one open to a mistake."""
    idp, names = aws.cognito_idp, aws.names
    pool_id = idp.create_user_pool(PoolName=names.pool, Policies={"PasswordPolicy": policy})["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName=client or names.client, GenerateSecret=secret,
                                            ExplicitAuthFlows=flows)["UserPoolClient"]["ClientId"]
    password = password or names.password
    if user == "sign-up":
        idp.sign_up(ClientId=client_id, Username=names.username, Password=password)
        idp.admin_confirm_sign_up(UserPoolId=pool_id, Username=names.username)
    elif user == "unconfirmed":
        idp.sign_up(ClientId=client_id, Username=names.username, Password=password)
    elif user == "admin-temporary":
        idp.admin_create_user(UserPoolId=pool_id, Username=names.username, TemporaryPassword=password,
                              MessageAction="SUPPRESS")
    return pool_id, client_id


NEAR_MISSES = [
    NearMiss("default password policy", step=1, expect="a minimum length of 8",
             apply=lambda aws: build(aws, policy={"MinimumLength": 8})),
    NearMiss("no symbols required", step=1, expect="symbols not required",
             apply=lambda aws: build(aws, policy={**PASSWORD_POLICY, "RequireSymbols": False})),
    NearMiss("client with a secret", step=2, expect="has a client secret", apply=lambda aws: build(aws, secret=True)),
    NearMiss("password flow not enabled", step=3, expect="does not allow USER_PASSWORD_AUTH",
             apply=lambda aws: build(aws, flows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])),
    NearMiss("user left in FORCE_CHANGE_PASSWORD", step=4, expect="FORCE_CHANGE_PASSWORD",
             apply=lambda aws: build(aws, user="admin-temporary")),
    NearMiss("user signed up, never confirmed", step=4, expect="is UNCONFIRMED",
             apply=lambda aws: build(aws, user="unconfirmed")),
    NearMiss("no user", step=4, expect="does not exist in pool", apply=lambda aws: build(aws, user=None)),
    NearMiss("another password than the lab's", step=5, expect="NotAuthorizedException",
             apply=lambda aws: build(aws, password="Different-Passw0rd!")),
    NearMiss("client under another name", step=2, expect="has no app client named",
             apply=lambda aws: build(aws, client="web")),
]


def admin_created_then_permanent(aws):
    """No SignUp: the admin path, with the password made permanent (legacy flow names, too)."""
    idp, names = aws.cognito_idp, aws.names
    pool_id = idp.create_user_pool(PoolName=names.pool, Policies={"PasswordPolicy": {
        "MinimumLength": 16, "RequireNumbers": True, "RequireSymbols": True}})["UserPool"]["Id"]
    idp.create_user_pool_client(UserPoolId=pool_id, ClientName=names.client,
                                ExplicitAuthFlows=["USER_PASSWORD_AUTH"])
    idp.admin_create_user(UserPoolId=pool_id, Username=names.username, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": "ada@example.com"}])
    idp.admin_set_user_password(UserPoolId=pool_id, Username=names.username, Password=names.password,
                                Permanent=True)


def aws_cli(aws):
    """The learner's shell: pool, client and sign-up with the CLI, then a flow added by update."""
    env, names = aws.learner_env(), aws.names

    def cli(*args):
        out = subprocess.run([sys.executable, "-m", "awscli", "cognito-idp", *args, "--output", "json"], env=env,
                             check=True, capture_output=True, text=True).stdout
        return json.loads(out) if out.strip() else {}

    policy = json.dumps({"PasswordPolicy": {"MinimumLength": 14, "RequireNumbers": True, "RequireSymbols": True,
                                            "RequireUppercase": False, "RequireLowercase": False}})
    pool_id = cli("create-user-pool", "--pool-name", names.pool, "--policies", policy)["UserPool"]["Id"]
    client_id = cli("create-user-pool-client", "--user-pool-id", pool_id, "--client-name", names.client,
                    "--no-generate-secret")["UserPoolClient"]["ClientId"]
    cli("update-user-pool-client", "--user-pool-id", pool_id, "--client-id", client_id, "--explicit-auth-flows",
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
    cli("sign-up", "--client-id", client_id, "--username", names.username, "--password", names.password)
    cli("admin-confirm-sign-up", "--user-pool-id", pool_id, "--username", names.username)


def policy_fixed_by_update(aws):
    """A first attempt with the default policy, repaired with update_user_pool."""
    pool_id, _ = build(aws, policy={"MinimumLength": 8})
    aws.cognito_idp.update_user_pool(UserPoolId=pool_id, Policies={"PasswordPolicy": PASSWORD_POLICY})
    assert find_pool_id(aws.cognito_idp, aws.names.pool) == pool_id
    assert find_client_id(aws.cognito_idp, pool_id, aws.names.client)


ALTERNATIVES = [
    Alternative("admin-created user with a permanent password", apply=admin_created_then_permanent),
    Alternative("AWS CLI with flows added by update", apply=aws_cli),
    Alternative("password policy fixed with update_user_pool", apply=policy_fixed_by_update),
    Alternative("reference", apply=solve),
]

test_near_miss = near_miss_test("cognito-sign-up-sign-in", NEAR_MISSES)
test_alternative = alternative_test("cognito-sign-up-sign-in", ALTERNATIVES)
