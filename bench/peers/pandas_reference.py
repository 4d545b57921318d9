#!/usr/bin/python3
"""The reference project's ETL, step for step: the peer that sluice-etl is checked against
(tests/integration/parity_pandas_test.sh) and timed against (bench/etl/run.sh).

    /usr/bin/python3 bench/peers/pandas_reference.py INPUT.xlsx OUTPUT [TABLE]

Reads the first sheet with pandas + openpyxl, derives is_public_ip, full_name and obfuscated_email, drops
first_name, last_name and email, and replaces TABLE (default `data_engineering`) in OUTPUT: a SQLite file, or
a SQLAlchemy URL (mysql+pymysql://..., postgresql://...) for the server benchmarks and parity tests.
Prints one line to stdout:

    pandas_reference: rows=N read_s=.. transform_s=.. write_s=.. total_s=.. writer=sqlalchemy|sqlite3

Needs Debian's Python (/usr/bin/python3) with python3-pandas and python3-openpyxl; the reference writes
through SQLAlchemy (python3-sqlalchemy), whose SQLite dialect declares the columns BIGINT, TEXT, TEXT,
BOOLEAN, TEXT, TEXT. Without SQLAlchemy the script falls back to a plain sqlite3 connection, which pandas declares as
INTEGER, TEXT, TEXT, INTEGER, TEXT, TEXT (the stored values are the same); `writer=` says which ran.
"""
import hashlib
import ipaddress
import sqlite3
import sys
import time

import pandas as pd

TABLE = "data_engineering"


def is_public_ip(ip):
    # The reference calls ipaddress.IPv4Address(ip).is_global, which raises on an IPv6 address (and on
    # malformed text) and so aborts the whole run. ip_address() gives the same answer for every IPv4 address
    # and also accepts IPv6, so that the peer can run on generated data that holds IPv6 rows. Malformed
    # addresses still raise, as in the reference.
    return ipaddress.ip_address(ip).is_global


def write(df, output, table=TABLE):
    is_url = "://" in output
    try:
        from sqlalchemy import create_engine
    except ImportError:
        if is_url:
            raise
        con = sqlite3.connect(output)
        try:
            df.to_sql(table, con, if_exists="replace", index=False)
            con.commit()
        finally:
            con.close()
        return "sqlite3"
    engine = create_engine(output if is_url else f"sqlite:///{output}")
    try:
        df.to_sql(table, engine, if_exists="replace", index=False)
    finally:
        engine.dispose()
    return "sqlalchemy+" + engine.dialect.driver if is_url else "sqlalchemy"


def main(argv):
    if len(argv) not in (3, 4):
        print(f"usage: {argv[0]} INPUT.xlsx OUTPUT.db|SQLALCHEMY_URL [TABLE]", file=sys.stderr)
        return 2
    input_path, output = argv[1], argv[2]
    table = argv[3] if len(argv) == 4 else TABLE

    t0 = time.perf_counter()
    df = pd.read_excel(input_path, engine="openpyxl")
    t1 = time.perf_counter()
    df["is_public_ip"] = df["ip_address"].apply(is_public_ip)
    df["full_name"] = df["first_name"] + " " + df["last_name"]
    df["obfuscated_email"] = df["email"].apply(lambda e: hashlib.md5(e.encode("utf-8")).hexdigest())
    df = df.drop(columns=["first_name", "last_name", "email"])
    t2 = time.perf_counter()
    writer = write(df, output, table)
    t3 = time.perf_counter()

    print(f"pandas_reference: rows={len(df)} read_s={t1 - t0:.3f} transform_s={t2 - t1:.3f} "
          f"write_s={t3 - t2:.3f} total_s={t3 - t0:.3f} writer={writer}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
