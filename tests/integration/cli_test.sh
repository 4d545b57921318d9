#!/usr/bin/env bash
# sluice-etl as a user runs it: refusals with one clear line and a documented exit code, the target left
# untouched by every failure, --json, --dry-run/--preview, --env-file and the target precedence.
set -uo pipefail
etl=$(realpath "${SLUICE_ETL:?path of the built sluice-etl}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# shellcheck source=check_lib.sh
source "$(dirname "$(realpath "$0")")/check_lib.sh"
dump() { sqlite3 target.db "SELECT * FROM data_engineering ORDER BY id" | md5sum; }

$etl gen --rows 300 --seed 3 users.xlsx 2>/dev/null
check "load" 0 "loaded 300 rows into sqlite:///target.db table data_engineering" -- \
  $etl users.xlsx --target sqlite:///target.db --progress never
before=$(dump)

# Refusals: each one line naming the file and the cause; the target untouched.
printf 'not a zip at all' > fake.xlsx
check "not a zip" 3 "^sluice-etl: fake.xlsx: .*not a zip" -- $etl fake.xlsx --target sqlite:///target.db
printf '\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1%0500d' 0 > legacy.xls
check "legacy xls" 3 "legacy.xls: .*legacy Excel 97-2003" -- $etl legacy.xls --target sqlite:///target.db
{ printf '\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1%0500d' 0; printf 'E\0n\0c\0r\0y\0p\0t\0i\0o\0n\0I\0n\0f\0o\0'; } > locked.xlsx
check "encrypted" 3 "locked.xlsx: .*password-protected" -- $etl locked.xlsx --target sqlite:///target.db
check "missing file" 3 "nope.xlsx: cannot open" -- $etl nope.xlsx --target sqlite:///target.db
check "missing sheet" 3 "users.xlsx: .*Nope.*Sheet1" -- $etl users.xlsx --sheet Nope --target sqlite:///target.db
printf 'id,name\n1,x\n' > cols.csv
check "missing column" 3 "columns: id, name" -- $etl cols.csv --target sqlite:///target.db
: > empty.csv
check "empty file" 3 "empty.csv: .*empty" -- $etl empty.csv --target sqlite:///target.db
printf 'id,first_name,last_name,email,gender,ip_address\n1,A,B,a@b.c,Male,1.1.1.1\n2,C,D,c@d.e,Male,999.1.2.3\n' > bad.csv
check "bad value" 4 "bad.csv:3 .*'999.1.2.3' is not an IPv4 or IPv6 address" -- \
  $etl bad.csv --target sqlite:///target.db
check "bad flag" 2 "on-error" -- $etl users.xlsx --on-error maybe
check "fail if exists" 5 "already exists" -- $etl users.xlsx --target sqlite:///target.db --if-exists fail
printf '[[step]]\ntype = "hash"\ninput = "email"\noutput = "h"\nalgorithm = "sha1"\n' > p.toml
check "bad pipeline" 2 "p.toml: step 1" -- $etl users.xlsx --pipeline p.toml --target sqlite:///target.db
check "unknown scheme" 2 "unknown scheme" -- $etl users.xlsx --target "oracle://u:secret@h/db"
check "password never printed" 2 "u:\*\*\*@h" -- $etl users.xlsx --target "oracle://u:secret@h/db"
same "target untouched by every failure" "$before" "$(dump)"
# Passwords with unencoded '@', '/' and ':' (which the URL parser accepts) never reach a message, the
# --json summary or an error line: not even a part of them.
never_printed() {  # never_printed NAME SECRET -- command...
  local name=$1 secret=$2 out
  shift 3
  out=$("$@" 2>&1)
  if grep -qF -- "$secret" <<<"$out" || ! grep -qF -- '***' <<<"$out"; then
    echo "FAIL $name: output holds '$secret' or no '***': $out"
    failures=$((failures + 1))
  else
    pass=$((pass + 1))
  fi
}
for pw in 'p@ss@w0rd' 'pa/ss:w0rd' 'pa55w0rd?x'; do
  url="mysql://etl:$pw@127.0.0.1:1/db"
  for part in "${pw%%[@/?]*}" "${pw##*[@/?]}"; do
    never_printed "redacted $pw ($part)" "$part" -- $etl users.xlsx --target "$url" --retries 0
    never_printed "redacted json $pw ($part)" "$part" -- $etl users.xlsx --target "$url" --retries 0 --json
  done
done
printf 'MYSQL_HOST=127.0.0.1\nMYSQL_PORT=1\nMYSQL_USERNAME=etl\nMYSQL_PASSWORD=env-Secr3t\nMYSQL_DATABASE=db\n' > secret.env
never_printed "env file password" "Secr3t" -- $etl users.xlsx --env-file secret.env --retries 0 --json

# --json, --dry-run, --preview
out=$($etl users.xlsx --target sqlite:///target.db --json 2>/dev/null)
same "json rows" "300" "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["rows_loaded"])' "$out")"
same "json columns" "id gender ip_address is_public_ip full_name obfuscated_email" \
  "$(python3 -c 'import json,sys; print(" ".join(c["name"] for c in json.loads(sys.argv[1])["columns"]))' "$out")"
check "preview" 0 "obfuscated_email" -- $etl users.xlsx --preview 3
same "preview prints 3 rows" "(3 rows)" "$($etl users.xlsx --preview 3 2>/dev/null | tail -1)"
check "dry run" 0 "dry run: 300 rows would be loaded" -- $etl users.xlsx --dry-run --target sqlite:///dry.db
same "dry run writes nothing" "no" "$([[ -e dry.db ]] && echo yes || echo no)"
same "json on failure" "false invalid_input" "$($etl bad.csv --target sqlite:///x.db --json 2>/dev/null |
  python3 -c 'import json,sys; d=json.load(sys.stdin); print(str(d["ok"]).lower(), d["error"]["code"])')"

# Target precedence and --env-file (values override the environment, as `dotenv run` does)
printf 'DATABASE_URL=sqlite:///from-env-file.db\n' > app.env
DATABASE_URL=sqlite:///from-env.db $etl users.xlsx --env-file app.env --progress never 2>/dev/null
same "env file wins" "300" "$(sqlite3 from-env-file.db 'SELECT count(*) FROM data_engineering')"
(cd "$work" && mkdir -p d && cd d && $etl ../users.xlsx --progress never 2>/dev/null)
same "default sqlite target" "300" "$(sqlite3 d/data_engineering.db 'SELECT count(*) FROM data_engineering')"
cp users.xlsx DATASET.xlsx
check "default input" 0 "loaded 300 rows" -- $etl --target sqlite:///default-input.db

# Append and CSV input with another delimiter
printf 'id;first_name;last_name;email;gender;ip_address\n301;Zoë;Ünal;z@x.io;Female;::1\n' > semi.csv
check "append csv" 0 "loaded 1 rows" -- $etl semi.csv --delimiter ';' --if-exists append --target sqlite:///target.db
same "appended" "301" "$(sqlite3 target.db 'SELECT count(*) FROM data_engineering')"

finish cli_test
