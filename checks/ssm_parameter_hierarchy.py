"""Checker for ssm-parameter-hierarchy: a key, two branches, secrets under the key, a read by path."""

from labrunner.grading import failed, passed, steps
from labrunner.kms import describe_key
from labrunner.lookups import fetch

STEP_NEEDS = {5: ("journal",)}  # graded from the calls made

STAGES = ("dev", "prod")
LEAVES = ("db/host", "db/user", "db/password")
SECRET = "db/password"


def check(aws):
    yield from steps(aws, customer_key_exists, parameters_stored, passwords_under_key, load_config_returns_tree,
                     read_by_path)



def branch(aws, stage: str) -> str:
    return aws.names[stage]


def stored(aws, stage: str) -> dict:
    """The stage's parameters as the checker reads them: {leaf: parameter}."""
    found = {}
    pages = aws.ssm.get_paginator("get_parameters_by_path").paginate(
        Path=branch(aws, stage), Recursive=True, WithDecryption=True)
    for page in pages:
        for parameter in page["Parameters"]:
            found[parameter["Name"].removeprefix(branch(aws, stage) + "/")] = parameter
    return found


def customer_key_exists(aws):
    alias = aws.names.key_alias
    key = describe_key(aws, alias)
    if key is None:
        return failed(f"Alias {alias} does not exist; create a KMS key and give it that alias.")
    if key.get("KeyManager") != "CUSTOMER" or alias.startswith("alias/aws/"):
        return failed(f"Alias {alias} points to an AWS managed key; expected a customer-managed key.")
    if key.get("KeyState", "Enabled") != "Enabled":
        return failed(f"Key {key['KeyId']} behind {alias} is {key.get('KeyState')}; expected Enabled.")
    return passed(f"Alias {alias} names customer-managed key {key['KeyId']}.")


def parameters_stored(aws):
    problems = []
    for stage in STAGES:
        present = stored(aws, stage)
        for leaf in LEAVES:
            name = f"{branch(aws, stage)}/{leaf}"
            parameter = present.get(leaf)
            if parameter is None:
                problems.append(f"{name} is missing")
            elif not parameter["Value"]:
                problems.append(f"{name} is empty")
            elif leaf == SECRET and parameter["Type"] != "SecureString":
                problems.append(f"{name} is stored as {parameter['Type']}, so anyone who can read it sees the "
                                "password in clear (expected SecureString)")
    if problems:
        return failed(f"The parameter tree is not complete: {'; '.join(problems)}.",
                      hint="put_parameter with Type='SecureString' for the passwords.")
    return passed(f"All six parameters exist under {branch(aws, 'dev')} and {branch(aws, 'prod')}, "
                  "the passwords as SecureString.")


def password_key_id(aws, name: str) -> str | None:
    found = aws.ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [name]}])
    parameters = found.get("Parameters", [])
    return parameters[0].get("KeyId") if parameters else None


def passwords_under_key(aws):
    alias = aws.names.key_alias
    expected = describe_key(aws, alias)
    if expected is None:
        return failed(f"Alias {alias} does not exist, so no password can be encrypted under it.")
    for stage in STAGES:
        name = f"{branch(aws, stage)}/{SECRET}"
        if fetch(aws.ssm.get_parameter, Name=name) is None:
            return failed(f"Parameter {name} does not exist, so its key cannot be checked.")
        key_id = password_key_id(aws, name)
        if not key_id:
            return failed(f"Parameter {name} is not encrypted (no KeyId); expected a SecureString under {alias}.")
        actual = describe_key(aws, key_id)
        if actual is None or actual["Arn"] != expected["Arn"]:
            default = key_id.startswith("alias/aws/") or (actual or {}).get("KeyManager") == "AWS"
            which = "the default aws/ssm key" if default else f"key {key_id}"
            return failed(f"Parameter {name} is encrypted with {which}; expected the key behind {alias} "
                          f"({expected['KeyId']}).", hint=f"Pass KeyId='{alias}' to put_parameter (with "
                          "Overwrite=True to replace it).")
    return passed(f"Both passwords are encrypted with the key behind {alias}.")


def config_problems(stage: str, returned, expected: dict) -> list[str]:
    if not isinstance(returned, dict):
        return [f"load_config({stage!r}) returned {type(returned).__name__}, not a dict"]
    problems = []
    missing = sorted(set(expected) - set(returned))
    extra = sorted(set(returned) - set(expected))
    if missing:
        problems.append(f"load_config({stage!r}) has no key {', '.join(missing)} (its keys: "
                        f"{', '.join(sorted(returned)) or 'none'})")
    if extra and not missing:
        problems.append(f"load_config({stage!r}) has extra keys {', '.join(extra)}")
    for leaf in sorted(set(expected) & set(returned)):
        if returned[leaf] != expected[leaf]:
            clear = " (still encrypted: read with WithDecryption=True)" if leaf == SECRET else ""
            problems.append(f"load_config({stage!r})[{leaf!r}] is {returned[leaf]!r}, not the stored value"
                            f"{clear}")
    return problems


def load_config_returns_tree(aws):
    problems = []
    for stage in STAGES:
        expected = {leaf: p["Value"] for leaf, p in stored(aws, stage).items()}
        if not expected:
            return failed(f"Nothing is stored under {branch(aws, stage)}, so load_config cannot be compared.")
        problems += config_problems(stage, aws.call_code("load_config", stage), expected)
    if problems:
        return failed(f"load_config does not return the stored tree: {'; '.join(problems)}.",
                      hint="Key by the name below /app/<stage>/ and read recursively with decryption.")
    return passed("load_config returns the decrypted dev and prod trees, keyed by their names below the stage.")


def read_by_path(aws):
    start = aws.journal.mark()
    aws.call_code("load_config", "prod")
    calls = aws.journal.calls(since=start, service="ssm")
    by_path = [c for c in calls if c.operation == "GetParametersByPath"
               and c.params.get("Path", "").rstrip("/") == branch(aws, "prod")]
    one_by_one = [c for c in calls if c.operation in ("GetParameter", "GetParameters")]
    if not by_path:
        how = f" ({len(one_by_one)} GetParameter/GetParameters call(s) instead)" if one_by_one else ""
        return failed(f"load_config('prod') made no GetParametersByPath call for {branch(aws, 'prod')}{how}; "
                      "expected the branch to be read by path.")
    if one_by_one:
        return failed(f"load_config('prod') read by path but also made {len(one_by_one)} GetParameter/"
                      "GetParameters call(s); expected the path read alone to bring every value.")
    if not all(c.params.get("WithDecryption") for c in by_path):
        return failed("load_config('prod') called GetParametersByPath without WithDecryption=True.")
    return passed(f"load_config('prod') read {branch(aws, 'prod')} with {len(by_path)} GetParametersByPath "
                  "call(s), with decryption.")
