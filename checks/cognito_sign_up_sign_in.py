"""Checker for cognito-sign-up-sign-in: pool, secretless client, password flow, user, a real sign-in."""

from botocore.exceptions import ClientError

from labrunner.grading import failed, passed, steps

LAB_NEEDS = ("unsigned_sandbox_calls",)  # SignUp and InitiateAuth are unsigned

MIN_LENGTH = 12
PASSWORD_FLOWS = {"ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"}


def check(aws):
    yield from steps(aws, pool_has_password_policy, client_has_no_secret, client_allows_password_flow,
                     user_is_confirmed, sign_in_returns_tokens)


def find_pool(aws) -> dict | None:
    for page in aws.cognito_idp.get_paginator("list_user_pools").paginate(MaxResults=60):
        for pool in page["UserPools"]:
            if pool["Name"] == aws.names.pool:
                return aws.cognito_idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    return None


def find_client(aws, pool_id: str) -> dict | None:
    idp = aws.cognito_idp
    for page in idp.get_paginator("list_user_pool_clients").paginate(UserPoolId=pool_id, MaxResults=60):
        for client in page["UserPoolClients"]:
            if client["ClientName"] == aws.names.client:
                return idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client["ClientId"])[
                    "UserPoolClient"]
    return None


def pool_and_client(aws):
    """(pool, client, sentence): the sentence says what is missing, else None."""
    pool = find_pool(aws)
    if pool is None:
        return None, None, f"User pool {aws.names.pool} does not exist yet."
    client = find_client(aws, pool["Id"])
    if client is None:
        return pool, None, f"User pool {aws.names.pool} has no app client named {aws.names.client}."
    return pool, client, None


def pool_has_password_policy(aws):
    pool = find_pool(aws)
    if pool is None:
        return failed(f"User pool {aws.names.pool} does not exist yet; create it with a password policy.")
    policy = pool.get("Policies", {}).get("PasswordPolicy", {})
    gaps = []
    if policy.get("MinimumLength", 0) < MIN_LENGTH:
        gaps.append(f"a minimum length of {policy.get('MinimumLength', 'none')} (expected {MIN_LENGTH} or more)")
    gaps += [f"{label} not required" for key, label in (("RequireNumbers", "numbers"), ("RequireSymbols", "symbols"))
             if not policy.get(key)]
    if gaps:
        return failed(f"User pool {aws.names.pool} has a weak password policy: {', '.join(gaps)}.",
                      hint="Set Policies.PasswordPolicy (update_user_pool works on an existing pool).")
    return passed(f"User pool {aws.names.pool} requires {policy['MinimumLength']}+ characters with numbers "
                  "and symbols.")


def client_has_no_secret(aws):
    _, client, missing = pool_and_client(aws)
    if missing:
        return failed(missing)
    if client.get("ClientSecret"):
        return failed(f"App client {aws.names.client} has a client secret; a public app cannot keep one, so "
                      "expected a client created with GenerateSecret=False.", hint="A secret cannot be removed: "
                      "delete the client and create it again without one.")
    return passed(f"App client {aws.names.client} has no client secret.")


def client_allows_password_flow(aws):
    _, client, missing = pool_and_client(aws)
    if missing:
        return failed(missing)
    flows = client.get("ExplicitAuthFlows", [])
    if not PASSWORD_FLOWS & set(flows):
        return failed(f"App client {aws.names.client} does not allow USER_PASSWORD_AUTH; its auth flows are "
                      f"{', '.join(flows) or 'none'}.", hint="Add ALLOW_USER_PASSWORD_AUTH to ExplicitAuthFlows "
                      "(update_user_pool_client).")
    return passed(f"App client {aws.names.client} allows the USER_PASSWORD_AUTH flow.")


def user_status(aws, pool_id: str) -> str | None:
    try:
        return aws.cognito_idp.admin_get_user(UserPoolId=pool_id, Username=aws.names.username)["UserStatus"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "UserNotFoundException":
            return None
        raise


def user_is_confirmed(aws):
    pool, user = find_pool(aws), aws.names.username
    if pool is None:
        return failed(f"User pool {aws.names.pool} does not exist, so user {user} cannot be in it.")
    status = user_status(aws, pool["Id"])
    if status is None:
        return failed(f"User {user} does not exist in pool {aws.names.pool}; sign them up.")
    if status == "FORCE_CHANGE_PASSWORD":
        return failed(f"User {user} is in FORCE_CHANGE_PASSWORD: the password is temporary and sign-in answers "
                      "with a NEW_PASSWORD_REQUIRED challenge; expected CONFIRMED.", hint="Sign the user up with "
                      "SignUp, or make the password permanent with admin_set_user_password(Permanent=True).")
    if status != "CONFIRMED":
        return failed(f"User {user} is {status}; expected CONFIRMED (admin_confirm_sign_up).")
    return passed(f"User {user} is CONFIRMED in pool {aws.names.pool}.")


def sign_in_returns_tokens(aws):
    _, client, missing = pool_and_client(aws)
    if missing:
        return failed(f"{missing[:-1]}, so nobody can sign in.")
    user = aws.names.username
    try:
        answer = aws.cognito_idp.initiate_auth(
            ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": user, "PASSWORD": aws.names.password})
    except ClientError as exc:
        error = exc.response.get("Error", {})
        return failed(f"Signing in as {user} through {aws.names.client} failed with {error.get('Code')}: "
                      f"{error.get('Message', '').rstrip('.')}.")
    tokens = answer.get("AuthenticationResult", {})
    if not (tokens.get("IdToken") and tokens.get("AccessToken")):
        challenge = answer.get("ChallengeName", "no tokens")
        return failed(f"Signing in as {user} answered {challenge} instead of tokens; expected an ID token and an "
                      "access token.")
    return passed(f"Signing in as {user} through {aws.names.client} returned an ID token and an access token.")
