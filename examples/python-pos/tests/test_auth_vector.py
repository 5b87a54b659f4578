"""The signature and the encryption reproduce a known-answer vector exactly.

The vector (``fixtures/connect-auth-vector.json``, public test data) fixes a Business-Code, a
terminal serial, a timestamp and an IV; every intermediate value of Kushki ONE Connect's
"security hash" is checked, then the wire body, then the way back.
"""

import json
from pathlib import Path

import kushki_pos as k

VECTOR = json.loads((Path(__file__).parent / "fixtures" / "connect-auth-vector.json").read_text())
BC, SERIAL, TS = VECTOR["business_code"], VECTOR["terminal_serial"], VECTOR["timestamp"]


def test_formatted_date_is_utc_to_the_minute():
    assert k.formatted_date(TS) == VECTOR["formatted_date"]


def test_password_is_md5_of_code_serial_and_date():
    assert k.password(BC, SERIAL, TS) == VECTOR["password_md5_hex"]


def test_encoded_key_timestamp():
    assert k.encoded_key_timestamp(BC, SERIAL, TS) == VECTOR["encoded_key_timestamp"]


def test_signed_text_appends_the_key_after_the_payload():
    assert k.signing_string(BC, SERIAL, TS, VECTOR["plaintext_body"]) == VECTOR["signed_json"]


def test_authorization_header():
    header = "Basic " + k.signature(BC, SERIAL, TS, VECTOR["plaintext_body"])
    assert header == VECTOR["authorization_header"]


def test_aes_key_is_32_bytes_of_timestamp_and_password():
    key = k.aes_key(BC, SERIAL, TS)
    assert key == VECTOR["aes_key_utf8"].encode("utf-8")
    assert len(key) == 32


def test_wire_body_with_the_vector_iv():
    data = k.encrypt(BC, SERIAL, TS, VECTOR["plaintext_body"], bytes.fromhex(VECTOR["iv_hex"]))
    assert {"data": data} == VECTOR["wire_body"]


def test_wire_body_decrypts_back_to_the_plaintext():
    assert k.decrypt(BC, SERIAL, TS, VECTOR["wire_body"]["data"]) == VECTOR["plaintext_body"]


def test_the_client_serialises_the_payload_as_signed():
    # The client builds the plaintext with to_json(); the vector's text is that same compact JSON.
    payload = json.loads(VECTOR["plaintext_body"])
    assert k.to_json(payload) == VECTOR["plaintext_body"]


def test_a_bodyless_get_is_signed_over_the_literal_empty_object():
    signed = k.signing_string(BC, SERIAL, TS, "{}")
    assert signed == '{"key":"' + VECTOR["encoded_key_timestamp"] + '"}'


def test_a_random_iv_still_decrypts():
    data = k.encrypt(BC, SERIAL, TS, VECTOR["plaintext_body"])
    assert len(data.split(":")[0]) == 32
    assert k.decrypt(BC, SERIAL, TS, data) == VECTOR["plaintext_body"]
