"""A small Kushki ONE Connect client for a POS, written from Kushki's public documentation.

One file, two dependencies (``requests`` and ``cryptography``). It drives a Kushki ONE terminal
(a Sunmi SmartPOS in Semi-Integrated mode) on the local network or through Kushki's cloud relay:

* routes (https://docs.kushki.com/co/card-present-payments/kushki-one/payments/):
  LAN ``http://{TERMINAL_IP}:6868/terminal/v1/sync/{operation}`` (HTTPS on 6869) and
  ``/terminal/v1/async/{operation}``; cloud
  ``https://uat-cloudt.kushkipagos.com/terminal/v1/{terminalSerial}/sync/{operation}`` (and
  ``cloudt.kushkipagos.com`` in production) and ``.../{terminalSerial}/async/{operation}``.
  Abort is ``GET`` on the LAN and ``POST`` (sync only) in the cloud; printing is
  ``/terminal/v1/print`` on the LAN and ``/{terminalSerial}/sync/print`` in the cloud.
* authentication and encryption
  (https://docs.kushki.com/mx/en/card-present-payments/kushki-one/authentication/): every request
  carries ``Authorization: Basic <sha512>`` and ``timestamp`` (Unix seconds, within +-5 minutes of
  the terminal's time); the body is ``{"data": "<iv_hex>:<ciphertext_hex>"}``, AES-256-CBC with
  PKCS#7 padding; answers come back encrypted the same way with the request's timestamp.
* errors (https://docs.kushki.com/pe/en/card-present-payments/kushki-one/error-catalog-kushkione):
  the LinkFailure ``{type, code, param, message, object}``, raised here as :class:`KushkiError`.
* printing (https://docs.kushki.com/pe/en/card-present-payments/kushki-one/printing): a
  ``commands`` array, ``202 {printJobId, status: "PENDING"}`` at once, the final ``COMPLETED`` or
  ``FAILED`` by webhook or by polling ``print_job?print_job_id=``.

The steps the documentation page does not show in full (the password, the signed text, the AES
key) follow the two public merchant integrations that report working against Kushki's UAT; the
known-answer vector in ``tests/fixtures/connect-auth-vector.json`` pins them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
import uuid
from datetime import datetime, timezone
from typing import Any, Callable, Mapping, Optional

import requests
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

__all__ = [
    "KushkiError",
    "KushkiOneClient",
    "amount",
    "formatted_date",
    "password",
    "encoded_key_timestamp",
    "aes_key",
    "signing_string",
    "signature",
    "encrypt",
    "decrypt",
    "text_command",
]

# --------------------------------------------------------------------------------------------
# The signature and the encryption (pure functions: the known-answer test calls them directly)
# --------------------------------------------------------------------------------------------


def formatted_date(ts: int) -> str:
    """UTC ``YYYY:MM:DD:HH:MM`` of a Unix timestamp (it changes every minute)."""
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y:%m:%d:%H:%M")


def password(business_code: str, serial: str, ts: int) -> str:
    """``md5_hex(rpad(businessCode + terminalSerial + formattedDate, 32, "0"))``."""
    token = (business_code + serial + formatted_date(ts)).ljust(32, "0")
    return hashlib.md5(token.encode("utf-8")).hexdigest()


def encoded_key_timestamp(business_code: str, serial: str, ts: int) -> str:
    """``base64(password + str(ts))``: the ``key`` member of the signed text."""
    raw = password(business_code, serial, ts) + str(ts)
    return base64.b64encode(raw.encode("utf-8")).decode("ascii")


def aes_key(business_code: str, serial: str, ts: int) -> bytes:
    """The 32-byte AES-256 key: the first 32 characters of ``str(ts) + "___" + password``."""
    return (str(ts) + "___" + password(business_code, serial, ts))[:32].encode("utf-8")


def to_json(payload: Mapping[str, Any]) -> str:
    """The compact JSON text that is both signed and encrypted (keys in insertion order)."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def signing_string(business_code: str, serial: str, ts: int, plaintext: str) -> str:
    """The plaintext object with ``"key": encodedKeyTimestamp`` appended after its own members.

    ``plaintext`` must be the exact compact JSON text that is encrypted (``{}`` for the bodyless
    GET routes); the key is inserted into that text, never re-serialised.
    """
    text = plaintext.strip()
    if not (text.startswith("{") and text.endswith("}")):
        raise ValueError("the signed payload must be a JSON object")
    key = encoded_key_timestamp(business_code, serial, ts)
    body = text[:-1].rstrip()
    separator = "," if body != "{" else ""
    return body + separator + '"key":"' + key + '"}'


def signature(business_code: str, serial: str, ts: int, plaintext: str) -> str:
    """``sha512_hex(base64(signing_string))``; the header is ``Authorization: Basic <this>``."""
    signed = signing_string(business_code, serial, ts, plaintext)
    return hashlib.sha512(base64.b64encode(signed.encode("utf-8"))).hexdigest()


def encrypt(
    business_code: str, serial: str, ts: int, plaintext: str, iv: Optional[bytes] = None
) -> str:
    """AES-256-CBC, PKCS#7: the wire ``data`` value ``"<iv_hex>:<ciphertext_hex>"``."""
    iv = os.urandom(16) if iv is None else iv
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext.encode("utf-8")) + padder.finalize()
    encryptor = Cipher(algorithms.AES(aes_key(business_code, serial, ts)), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padded) + encryptor.finalize()
    return iv.hex() + ":" + ciphertext.hex()


def decrypt(business_code: str, serial: str, ts: int, data: str) -> str:
    """The inverse of :func:`encrypt`: the plaintext text of a ``"<iv_hex>:<ciphertext_hex>"``."""
    iv_hex, _, ct_hex = data.partition(":")
    decryptor = Cipher(
        algorithms.AES(aes_key(business_code, serial, ts)), modes.CBC(bytes.fromhex(iv_hex))
    ).decryptor()
    padded = decryptor.update(bytes.fromhex(ct_hex)) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return (unpadder.update(padded) + unpadder.finalize()).decode("utf-8")


# --------------------------------------------------------------------------------------------
# Request helpers
# --------------------------------------------------------------------------------------------


def amount(subtotal_iva0: int, subtotal_iva: int = 0, iva: int = 0) -> dict:
    """The documented ``amount`` object, in minor units of the terminal's currency
    (``amount(1250)`` is 12.50 PEN on a Peruvian terminal, 1250 CLP on a Chilean one)."""
    return {
        "subtotal_iva": subtotal_iva,
        "subtotal_iva0": subtotal_iva0,
        "iva": iva,
        "extra_taxes": {"airport_tax": 0, "iac": 0, "ice": 0, "travel_agency": 0},
    }


def _amount(value: Any) -> dict:
    return amount(value) if isinstance(value, int) else dict(value)


def text_command(text: str, align: str = "CENTER", bold: bool = False) -> dict:
    """One ``text`` command of a print job."""
    return {"type": "text", "text": text, "align": align, "bold": bold}


class KushkiError(Exception):
    """A LinkFailure: ``type``, ``code``, ``message`` (and ``param``, ``object`` when present).

    ``status`` is the HTTP status (200 for the terminal's "the customer cancelled" answer, which
    carries ``{type, code, message}`` and no ``approved``); ``encrypted`` says whether the body
    came encrypted (failures after authentication) or in plain JSON (route and signature
    failures, the cloud's offline error).
    """

    def __init__(self, status: int, body: Mapping[str, Any], encrypted: bool):
        failure = body.get("failure", body) if isinstance(body, Mapping) else {}
        if not isinstance(failure, Mapping):
            failure = {}
        self.status = status
        self.type = str(failure.get("type", ""))
        self.code = str(failure.get("code", ""))
        self.message = str(failure.get("message", ""))
        self.param = failure.get("param")
        self.object = failure.get("object")
        self.body = body
        self.encrypted = encrypted
        super().__init__(f"HTTP {status} {self.type} {self.code}: {self.message}")


# --------------------------------------------------------------------------------------------
# The client
# --------------------------------------------------------------------------------------------


class KushkiOneClient:
    """Kushki ONE Connect for one terminal.

    ``base_url``: ``http://{TERMINAL_IP}:6868`` (or ``https://…:6869``) with ``via="lan"``;
    ``https://uat-cloudt.kushkipagos.com`` with ``via="cloud"``. ``ca_file``: a PEM bundle to
    trust for HTTPS (the terminal's certificate authority on the LAN). ``clock``: where the
    ``timestamp`` comes from (the POS's own clock, synchronised by NTP).
    """

    def __init__(
        self,
        base_url: str,
        business_code: str,
        serial: str,
        via: str = "lan",
        ca_file: Optional[str] = None,
        timeout: float = 95.0,
        clock: Callable[[], float] = time.time,
        session: Optional[requests.Session] = None,
    ):
        if via not in ("lan", "cloud"):
            raise ValueError('via is "lan" or "cloud"')
        self.base_url = base_url.rstrip("/")
        self.business_code = business_code
        self.serial = serial
        self.via = via
        self.timeout = timeout
        self.clock = clock
        self.session = session or requests.Session()
        # Passed with every request rather than set on the session: requests lets
        # REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE in the environment override a session's `verify`
        # (psf/requests#3829), and many CI images set them.
        self.verify: Any = ca_file if ca_file else True

    # Routes ----------------------------------------------------------------------------------

    def url(self, route: str) -> str:
        """``route`` is ``sync/charge``, ``async/charge``, ``sync/print``…"""
        if self.via == "lan":
            return f"{self.base_url}/terminal/v1/{route}"
        return f"{self.base_url}/terminal/v1/{self.serial}/{route}"

    # Transport -------------------------------------------------------------------------------

    def request(self, method: str, route: str, payload: Optional[Mapping[str, Any]] = None,
                params: Optional[Mapping[str, str]] = None,
                timeout: Optional[float] = None) -> tuple[int, dict]:
        """Signs, encrypts and sends one call; answers ``(status, decrypted body)`` of a
        success and raises :class:`KushkiError` for a failure. A ``GET`` has no body and is
        signed over the literal ``{}``."""
        ts = int(self.clock())
        plaintext = "{}" if payload is None else to_json(payload)
        headers = {
            "Authorization": "Basic " + signature(self.business_code, self.serial, ts, plaintext),
            "timestamp": str(ts),
        }
        body = None
        if method != "GET":
            headers["Content-Type"] = "application/json"
            body = to_json({"data": encrypt(self.business_code, self.serial, ts, plaintext)})
        answer = self.session.request(
            method, self.url(route), headers=headers, data=body and body.encode("utf-8"),
            params=params, timeout=timeout or self.timeout, verify=self.verify,
        )
        decoded, encrypted = self._open(answer, ts)
        if answer.status_code >= 400 or (
            isinstance(decoded, dict) and "code" in decoded and "type" in decoded
            and "approved" not in decoded and "aborted" not in decoded
        ):
            raise KushkiError(answer.status_code, decoded if isinstance(decoded, dict) else {},
                              encrypted)
        return answer.status_code, decoded

    def _open(self, answer: requests.Response, ts: int) -> tuple[Any, bool]:
        try:
            body = answer.json()
        except ValueError:
            return {"type": "HTTP", "code": str(answer.status_code), "message": answer.text}, False
        if isinstance(body, dict) and isinstance(body.get("data"), str) and len(body) == 1:
            return json.loads(decrypt(self.business_code, self.serial, ts, body["data"])), True
        return body, False

    # Operations ------------------------------------------------------------------------------

    def charge(self, value: Any, client_transaction_id: Optional[str] = None,
               metadata: Optional[Mapping[str, Any]] = None, **fields: Any) -> dict:
        """A sync charge (``value``: minor units or an :func:`amount`); answers
        ``{approved, message, client_transaction_id, rawResponse}``. A decline is an answer
        with ``approved: false``, not an exception."""
        payload = {
            "client_transaction_id": client_transaction_id or str(uuid.uuid4()),
            "amount": _amount(value),
        }
        if metadata:
            payload["metadata"] = dict(metadata)
        payload.update(fields)
        return self.request("POST", "sync/charge", payload)[1]

    def charge_async(self, value: Any, events_webhook_url: str,
                     client_transaction_id: Optional[str] = None, **fields: Any) -> dict:
        """An async charge: answers the ``TERMINAL_ACKNOWLEDGED`` event at once; the terminal
        then POSTs one event per state change to ``events_webhook_url``, the last one
        ``APPROVAL``, ``DECLINED`` or ``TERMINAL_CANCELED``."""
        payload = {
            "client_transaction_id": client_transaction_id or str(uuid.uuid4()),
            "amount": _amount(value),
            "events_webhook_url": events_webhook_url,
        }
        payload.update(fields)
        return self.request("POST", "async/charge", payload)[1]

    def void(self, transaction_reference: str,
             client_transaction_id: Optional[str] = None) -> dict:
        """Cancels a charge on its business day (after the cut-off the terminal refunds it)."""
        payload = {
            "client_transaction_id": client_transaction_id or str(uuid.uuid4()),
            "transaction_reference": transaction_reference,
        }
        return self.request("POST", "sync/void", payload)[1]

    def refund(self, transaction_reference: str, value: Any = None,
               client_transaction_id: Optional[str] = None) -> dict:
        """Refunds a settled charge, in total or (``value``) in part."""
        payload: dict = {
            "client_transaction_id": client_transaction_id or str(uuid.uuid4()),
            "transaction_reference": transaction_reference,
        }
        if value is not None:
            payload["amount"] = _amount(value)
        return self.request("POST", "sync/refund", payload)[1]

    def abort(self) -> dict:
        """Cancels the operation in progress (before the approval was requested): ``GET`` on the
        LAN, ``POST`` signed over ``{}`` in the cloud. Answers
        ``{aborted, client_transaction_id, message}``; with nothing in progress it raises
        ``TER-005``."""
        if self.via == "lan":
            return self.request("GET", "sync/abort", timeout=15)[1]
        return self.request("POST", "sync/abort", {}, timeout=15)[1]

    def print_job(self, commands: list, print_job_id: Optional[str] = None,
                  webhook_url: Optional[str] = None, external_reference: Optional[str] = None,
                  skip_if_busy: bool = False) -> dict:
        """Sends a print job; answers ``{printJobId, status: "PENDING"}`` (HTTP 202)."""
        payload: dict = {
            "printJobId": print_job_id or str(uuid.uuid4()),
            "commands": list(commands),
            "skipIfBusy": skip_if_busy,
        }
        if external_reference:
            payload["externalReference"] = external_reference
        if webhook_url:
            payload["webhookUrl"] = webhook_url
        route = "print" if self.via == "lan" else "sync/print"
        return self.request("POST", route, payload, timeout=20)[1]

    def print_job_status(self, print_job_id: str) -> dict:
        """Polls a print job: ``{printJobId, status, …}``, ``status`` ``PENDING``,
        ``COMPLETED`` or ``FAILED`` (with ``error``)."""
        route = "print_job" if self.via == "lan" else "sync/print_job"
        return self.request("GET", route, params={"print_job_id": print_job_id}, timeout=20)[1]
