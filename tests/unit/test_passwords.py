from portal_app.services.passwords import hash_password, verify_password


def test_hash_is_argon2id_and_verifies_only_the_same_password():
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "correct horse battery")
    assert not verify_password(hashed, "correct horse battery!")


def test_a_malformed_hash_never_verifies():
    assert not verify_password("not-a-hash", "anything")
