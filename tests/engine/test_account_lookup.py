"""The moto extension that finds a key's account without building every partition."""

import moto.iam.models as iam_models
from moto.core import DEFAULT_ACCOUNT_ID

from labrunner.backends.moto_ext import account_lookup


def test_keys_map_to_their_account_and_unknown_keys_to_the_default():
    backend = iam_models.iam_backends["210987654321"]["aws"]
    backend.create_user(region_name="us-east-1", user_name="u", path="/", tags=[])
    key = backend.create_access_key(user_name="u").access_key_id
    assert account_lookup.get_account_id_from(key) == "210987654321"
    assert account_lookup.get_account_id_from("AKIANOSUCHKEY0000000") == DEFAULT_ACCOUNT_ID


def test_lookup_builds_no_partition_backends():
    iam_models.iam_backends["310987654321"]["aws"]
    before = set(dict.keys(dict.get(iam_models.iam_backends, "310987654321")))
    account_lookup.get_account_id_from("AKIANOSUCHKEY0000001")
    assert set(dict.keys(dict.get(iam_models.iam_backends, "310987654321"))) == before == {"aws"}


def test_a_deleted_key_is_not_remembered():
    backend = iam_models.iam_backends["410987654321"]["aws"]
    backend.create_user(region_name="us-east-1", user_name="u", path="/", tags=[])
    key = backend.create_access_key(user_name="u").access_key_id
    assert account_lookup.get_account_id_from(key) == "410987654321"
    backend.delete_access_key(key, "u")
    assert account_lookup.get_account_id_from(key) == DEFAULT_ACCOUNT_ID
