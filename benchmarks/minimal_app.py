"""The baseline of benchmarks/signing.py: a minimal Flask + psycopg endpoint doing one INSERT.

``POST /sign`` takes the signing API's JSON and inserts one signature row into the same table
(hash of the IIN, receipt and link-token hashes, no checks), with one connection per process
and one commit. Served exactly like the app: gunicorn with the same sync workers.
``MINIMAL_DATABASE_URL`` is a libpq URL (``postgresql://...``).
"""

import hashlib
import hmac
import os
import secrets

import psycopg
from flask import Flask, request

app = Flask(__name__)
KEY = os.environ.get("IIN_HASH_KEY", "minimal").encode()
INSERT = (
    "INSERT INTO signatures (petition_id, district_id, iin_hash, full_name, email,"
    " source, status, receipt_hash, confirm_nonce, email_count, check_status, created_at)"
    " VALUES (%s, %s, %s, %s, %s, 'online', 'pending', %s, %s, 1, 'unchecked', now())"
)
_connection = None


def connection() -> psycopg.Connection:
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["MINIMAL_DATABASE_URL"])
    return _connection


@app.post("/sign")
def sign():
    data = request.get_json()
    iin = str(data["iin"])
    conn = connection()
    with conn.cursor() as cursor:
        cursor.execute(
            INSERT,
            (
                int(data["petition_id"]),
                int(data["district_id"]),
                hmac.new(KEY, iin.encode(), hashlib.sha256).hexdigest(),
                data["full_name"],
                data["email"],
                hashlib.sha256(secrets.token_bytes(10)).hexdigest(),
                secrets.token_hex(16),
            ),
        )
    conn.commit()
    return {"ok": True}, 202
