#!/usr/bin/env bash
# statesheet mail, end to end, against real servers on 127.0.0.1 only:
# drafts read back by Python's email package (policy=default, no defects,
# headers, the attachment's SHA-256 against the manifest); the refusals
# before anything is written (a changed sheet, bad contacts, sample
# sheets); OpenSMTPD delivering to Maildirs for the normal path (as root);
# and a scripted aiosmtpd server that answers 451 or 554, or drops the
# connection, for the send log: a second run sends only the rest.
. "$(dirname "$0")/common.sh"
CHECK=("$PY" "$HERE/mail_check.py")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT

# Sheets: the real ND sheet, and sample sheets with hard names (Kaʻulaʻi,
# Łódź, a 100-letter word) for the headers.
OUT=$TMP/out
"$BIN" -q -o "$OUT" "$SRC/data/ncmec-2023.xml"
"$BIN" -q -o "$OUT" -s S001 -s S002 -s S003 -s S004 -s S005 -s S006 "$SRC/data/samples/sample-56.xml"
cat > "$TMP/contacts.csv" <<'EOF'
code,name,email,cc,notes
ND,Jane Roe,jane.roe@example.org,,clearinghouse
ND,"Zoë Łódź-Müller, Records",zoe.records@example.org,yes,
ND,,plain@example.org,yes,
S001,Pat Doe,pat@example.org,,
S002,Oficina de Registros Kaʻulaʻi,registros@example.org,,
S003,Long Name Person With A Very Long Name That Goes On And On Forever And Ever,long@example.org,,
S004,,s4@example.org,,
S005,Only Copy,only.cc@example.org,yes,
EOF
CONTACTS=$TMP/contacts.csv

run() { # run ARGS...: status in $rc, stdout in $TMP/o, stderr in $TMP/e
  set +e
  "$BIN" "$@" >"$TMP/o" 2>"$TMP/e"
  rc=$?
  set -e
}
expect() { # expect STATUS WHAT
  if [ "$rc" = "$1" ]; then ok "$2 (exit $rc)"; else fail "$2: exit $rc, not $1: $(cat "$TMP/e")"; fi
}
has() { # has FILE TEXT WHAT
  if grep -qF -- "$2" "$1"; then ok "$3"; else fail "$3: no '$2' in: $(cat "$1")"; fi
}

# ---- drafts --------------------------------------------------------------
run mail --contacts "$CONTACTS" "$OUT"
expect 65 "sample sheets are not mailed without --allow-sample"
has "$TMP/e" "--allow-sample" "the refusal names --allow-sample"
[ ! -e "$OUT/mail" ] && ok "nothing written" || fail "mail/ made by a refused run"

run mail --strict --allow-sample --contacts "$CONTACTS" "$OUT"
expect 65 "--strict: a sheet without a contact is an error"
has "$TMP/e" "error: S006 (" "--strict names the state"
[ ! -e "$OUT/mail" ] && ok "nothing written under --strict" || fail "mail/ made"

run mail --allow-sample --contacts "$CONTACTS" "$OUT"
expect 0 "drafts"
s6=$(grep '^sheet,S006,' "$OUT/manifest-2023-SAMPLE.csv" | cut -d, -f3)
has "$TMP/e" "warning: S006 ($s6) has a sheet but no contact" "a state without contact is named"
n=$(ls "$OUT/mail"/*.eml | wc -l)
[ "$n" = 6 ] && ok "6 drafts for the 6 states with contacts" || fail "$n drafts, not 6"
[ -f "$OUT/mail/ND-2023.eml" ] && [ -f "$OUT/mail/S002-2023-SAMPLE.eml" ] \
  && ok "drafts named CODE-YEAR[-SAMPLE].eml" || fail "draft names: $(ls "$OUT/mail")"
if "${CHECK[@]}" "$OUT" "$CONTACTS" draft "$OUT"/mail/*.eml; then ok "drafts parse cleanly and match"; else fail "drafts"; fi
# The state's name exactly as in the manifest, in the subject, encoded.
grep -q '^Subject: =?UTF-8?B?' "$OUT/mail/S002-2023-SAMPLE.eml" && ok "a non-ASCII subject is RFC 2047-encoded" \
  || fail "subject not encoded: $(grep Subject "$OUT/mail/S002-2023-SAMPLE.eml")"
cp -a "$OUT/mail" "$TMP/drafts1"
run mail --allow-sample --contacts "$CONTACTS" "$OUT"
if diff -r "$TMP/drafts1" "$OUT/mail" >/dev/null; then ok "drafts are the same bytes again"; else fail "drafts differ between runs"; fi

# The same contacts as an Excel workbook (openpyxl writes it as a user's
# spreadsheet would be): the same drafts, byte for byte; a bad address in
# it is named at its row and column.
"$PY" - "$CONTACTS" "$TMP/contacts.xlsx" "$TMP/bad.xlsx" <<'EOF'
import csv, sys, openpyxl
for path, rows in ((sys.argv[2], list(csv.reader(open(sys.argv[1], encoding="utf-8")))),
                   (sys.argv[3], [["code", "email"], ["ND", "jane roe@example.org"]])):
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append([c if c else None for c in r])
    wb.save(path)
EOF
rm -rf "$OUT/mail"
run mail --allow-sample --contacts "$TMP/contacts.xlsx" "$OUT"
expect 0 "drafts from contacts in an .xlsx workbook"
if diff -r "$TMP/drafts1" "$OUT/mail" >/dev/null; then ok "the workbook's drafts are the CSV's bytes"; else fail "drafts from the workbook differ"; fi
rm -rf "$OUT/mail"
run mail --allow-sample --contacts "$TMP/bad.xlsx" "$OUT"
expect 65 "a bad address in a workbook"
has "$TMP/e" "bad.xlsx:2:2: error: 'jane roe@example.org' is not an email address" "a workbook's bad address at its row and column"
[ ! -e "$OUT/mail" ] && ok "nothing written for a bad workbook" || fail "mail/ made from a bad workbook"
cp -a "$TMP/drafts1" "$OUT/mail"

# Spanish template: Spanish mail.
rm -rf "$OUT/mail"
run mail --allow-sample -t "$SRC/assets/templates/state-data.es.xml" --contacts "$CONTACTS" "$OUT"
expect 0 "drafts from the Spanish template"
"$PY" - "$OUT/mail/ND-2023.eml" <<'EOF' && ok "Spanish subject and text" || fail "Spanish mail"
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
b = m.get_body(("plain",))
assert str(m["Subject"]).startswith("Datos de North Dakota 2023"), m["Subject"]
assert "Niños Desaparecidos" in b.get_content(), b.get_content()
assert b["Content-Language"] == "es-US"
EOF
rm -rf "$OUT/mail"

# One contacts file for all jurisdictions: a folder made with -s (or a
# shard) holds only some sheets; rows of known jurisdictions without a
# sheet get no mail and one warning, not an error (not even --strict).
cp "$CONTACTS" "$TMP/all.csv"
cat >> "$TMP/all.csv" <<'EOF'
AK,Alaska Desk,ak@example.org,,
S006,,s6@example.org,,
GU,,gu@example.org,,
AK,,ak.copy@example.org,yes,
EOF
run mail --strict --allow-sample --contacts "$TMP/all.csv" "$OUT"
expect 0 "contacts of jurisdictions without a sheet, under --strict"
has "$TMP/e" "all.csv: warning: 2 states in the contacts have no sheet in $OUT (AK, GU); they get no mail" \
  "one warning names how many and which"
[ "$(grep -c 'no sheet in' "$TMP/e")" = 1 ] && ok "one warning line" || fail "warnings: $(cat "$TMP/e")"
n=$(ls "$OUT/mail"/*.eml | wc -l)
[ "$n" = 7 ] && [ ! -e "$OUT/mail/AK-2023.eml" ] && ok "7 drafts, none for AK or GU" \
  || fail "drafts: $(ls "$OUT/mail")"
if "${CHECK[@]}" "$OUT" "$TMP/all.csv" draft "$OUT"/mail/*.eml; then ok "the drafts go to their own states only"; else fail "drafts with AK rows"; fi
rm -rf "$OUT/mail"
run mail -q --allow-sample --contacts "$TMP/all.csv" "$OUT"
expect 0 "the same, quiet"
[ ! -s "$TMP/e" ] && ok "-q: no warning for states without a sheet" || fail "-q printed: $(cat "$TMP/e")"
rm -rf "$OUT/mail"

# ---- refusals before anything is written ------------------------------------
cat > "$TMP/bad.csv" <<'EOF'
code,email,name
ND,jane roe@example.org,Jane
NX,nx@example.org,
ND,ok@example.org,
ND,OK@example.org,again
S001,pat@@example.org,
NDD,ndd@example.org,
ak,ak@example.org,
EOF
run mail --allow-sample --contacts "$TMP/bad.csv" "$OUT"
expect 65 "bad contacts"
has "$TMP/e" "bad.csv:2:2: error: 'jane roe@example.org' is not an email address" "a bad address at its row and column"
has "$TMP/e" "bad.csv:3:1: error: 'NX' is not the code of a sheet" "an unknown code at its cell"
has "$TMP/e" "bad.csv:5:2: error: ND OK@example.org is already on row 4" "a duplicate row"
has "$TMP/e" "bad.csv:6:2: error:" "a second @"
has "$TMP/e" "bad.csv:7:1: error: 'NDD' is not the code of a sheet" "a code that is no jurisdiction"
has "$TMP/e" "bad.csv:8:1: error: 'ak' is not the code of a sheet in the folder; write it in capitals" \
  "a jurisdiction's code in small letters"
[ ! -e "$OUT/mail" ] && ok "nothing written for bad contacts" || fail "mail/ made"

cp -a "$OUT" "$TMP/changed"
printf 'x' >> "$TMP/changed/S003-2023-SAMPLE.pdf"
touch -r "$TMP/changed/manifest-2023-SAMPLE.csv" "$TMP/changed/S003-2023-SAMPLE.pdf"
run mail --allow-sample --contacts "$CONTACTS" "$TMP/changed"
expect 65 "a changed sheet"
has "$TMP/e" "S003-2023-SAMPLE.pdf: error: the sheet has changed since manifest-2023-SAMPLE.csv" "names the changed sheet"
[ ! -e "$TMP/changed/mail" ] && ok "nothing drafted for a changed sheet" || fail "mail/ made"
rm -rf "$TMP/changed" && cp -a "$OUT" "$TMP/changed"
touch -d '+1 minute' "$TMP/changed/ND-2023.pdf"
run mail --allow-sample --contacts "$CONTACTS" "$TMP/changed"
expect 65 "a sheet newer than the manifest"
has "$TMP/e" "ND-2023.pdf: error: the sheet is newer than manifest-2023.csv" "names the newer sheet"
rm -rf "$TMP/changed" && cp -a "$OUT" "$TMP/changed"
rm "$TMP/changed/S004-2023-SAMPLE.pdf"
run mail --allow-sample --contacts "$CONTACTS" "$TMP/changed"
expect 65 "a missing sheet"
has "$TMP/e" "S004-2023-SAMPLE.pdf: error: the sheet is missing" "names the missing sheet"
rm -rf "$TMP/changed"

run mail --allow-sample --contacts "$CONTACTS" --send "smtp://user:secret@127.0.0.1:1" "$OUT"
expect 64 "credentials in the URL"
has "$TMP/e" ".netrc" "points to ~/.netrc"

# ---- a real MTA: OpenSMTPD delivering to Maildirs --------------------------
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
if [ "$(id -u)" = 0 ] && command -v smtpd >/dev/null; then
  # OpenSMTPD's control socket (/run/smtpd.sock) and queue
  # (/var/spool/smtpd) are system-wide: in a mount namespace of its own
  # it shares neither with a system OpenSMTPD nor with another test run;
  # where namespaces are not allowed, one test server at a time.
  exec 9>/tmp/statesheet-test-opensmtpd.lock
  flock -w 120 9
  MD=$TMP/maildirs
  mkdir -p "$MD" && chmod 777 "$MD"
  port=$(free_port)
  cat > "$TMP/smtpd.conf" <<EOF
table vusers { "@" = "nobody" }
listen on 127.0.0.1 port $port
action "md" maildir "$MD/%{rcpt}" virtual <vusers>
match from any for any action "md"
EOF
  chmod 755 "$TMP"
  mkdir -p /var/spool/smtpd
  if unshare --mount true 2>/dev/null; then
    unshare --mount sh -c 'mount -t tmpfs -o mode=755 tmpfs /run &&
      mount -t tmpfs -o mode=711 tmpfs /var/spool/smtpd && exec smtpd -d -f "$1"' \
      sh "$TMP/smtpd.conf" >"$TMP/smtpd.log" 2>&1 &
  else
    smtpd -d -f "$TMP/smtpd.conf" >"$TMP/smtpd.log" 2>&1 &
  fi
  pids+=($!)
  for _ in $(seq 100); do
    "$PY" -c "import socket; socket.create_connection(('127.0.0.1',$port),1)" 2>/dev/null && break
    sleep 0.1
  done
  run mail --allow-sample --from "Statesheet Test <sender@example.org>" --send "smtp://127.0.0.1:$port" \
    --contacts "$CONTACTS" "$OUT"
  expect 0 "sent through OpenSMTPD"
  # 6 states, 9 addresses: wait for the deliveries (bounded).
  for _ in $(seq 200); do
    [ "$(find "$MD" -path '*/new/*' -type f | wc -l)" -ge 9 ] && break
    sleep 0.1
  done
  got=$(cd "$MD" && ls | sort | tr '\n' ' ')
  want=$(tail -n +2 "$CONTACTS" | cut -d, -f3- | grep -o '[a-z0-9.]*@example.org' | sort | tr '\n' ' ')
  [ "$got" = "$want" ] && ok "delivered to exactly the contacts' addresses" || fail "delivered to '$got', want '$want'"
  if "${CHECK[@]}" "$OUT" "$CONTACTS" delivered "$MD"/*/new/*; then ok "delivered messages parse cleanly and match the manifest"; else fail "delivered messages"; fi
  # Each state one transaction: ND's three addresses share one message.
  ids=$(grep -h '^Message-ID:' "$MD"/*/new/* | sort -u | wc -l)
  [ "$ids" = 6 ] && ok "6 messages, one per state, to 9 mailboxes" || fail "$ids Message-IDs"
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
  exec 9>&-
  rows=$( (tail -n +2 "$OUT/mail/sent-2023-SAMPLE.csv" || true) | wc -l)
  [ "$rows" = 5 ] && ok "the send log holds the 5 sample states" || fail "$rows log rows"
  rm -rf "$OUT/mail"
else
  echo "skip - OpenSMTPD needs root (and smtpd); the aiosmtpd checks below still run"
fi

# ---- a scripted server: refusals, drops, the send log ----------------------
start_server() { # start_server DIR MODE N [USER PASSWORD]
  rm -rf "$1" && mkdir -p "$1"
  "$PY" "$HERE/mail_server.py" "$1/port" "$@" &
  pids+=($!)
  for _ in $(seq 100); do [ -f "$1/port" ] && break; sleep 0.1; done
  PORT=$(cat "$1/port")
}
stop_server() { kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true; }
received() { ls "$1"/*.eml 2>/dev/null | wc -l; }
send() { run mail --allow-sample --from sender@example.org --send "smtp://127.0.0.1:$PORT" --contacts "$CONTACTS" "$@" "$OUT"; }

S=$TMP/srv
start_server "$S" 451 2
send
expect 75 "451 after two messages"
has "$TMP/e" "451 4.3.0" "the server's reply is shown"
has "$TMP/e" "2 sent, 0 sent before, not sent:" "a summary of sent / not sent"
stop_server
[ "$(received "$S")" = 2 ] && ok "the server took 2" || fail "the server took $(received "$S")"
logged=$(cat "$OUT"/mail/sent-*.csv | grep -c '@' || true)
[ "$logged" = 2 ] && ok "the send log holds the 2 accepted" || fail "$logged log rows"
first=$(cat "$S"/*.rcpt | sort)

start_server "$S" accept 0
send
expect 0 "the second run"
stop_server
[ "$(received "$S")" = 4 ] && ok "the second run sent only the other 4" || fail "second run sent $(received "$S")"
if grep -qxF -f <(echo "$first") "$S"/*.rcpt; then fail "the second run sent one again"; else ok "none twice"; fi
if "${CHECK[@]}" "$OUT" "$CONTACTS" sent "$S"/*.eml; then ok "sent messages parse cleanly"; else fail "sent messages"; fi
for f in "$S"/*.eml; do  # the envelope: exactly the message's To and Cc
  "$PY" - "$f" "${f%.eml}.rcpt" <<'EOF' || fail "envelope of $f"
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
want = sorted(a.addr_spec for h in ("To", "Cc") if m[h] for a in m[h].addresses)
got = sorted(open(sys.argv[2]).read().split())
assert got == want, (got, want)
EOF
done
ok "envelope recipients are exactly To and Cc"

start_server "$S" accept 0
send
expect 0 "a third run"
stop_server
[ "$(received "$S")" = 0 ] && ok "a third run sends nothing" || fail "a third run sent $(received "$S")"
has "$TMP/o" "0 sent, 6 sent before" "says all were sent before"

# A sheet made again after it was sent: not sent unless --resend.  (The
# run's manifest then names only S001, so the contacts name only the
# folder's states: a code without a sheet is an error.)
"$BIN" -q -o "$OUT" -t "$SRC/assets/templates/state-data.es.xml" -s S001 "$SRC/data/samples/sample-56.xml"
grep -E '^(code|ND|S001),' "$TMP/contacts.csv" > "$TMP/contacts2.csv"
CONTACTS=$TMP/contacts2.csv
start_server "$S" accept 0
send
expect 0 "a run after S001 was made again"
has "$TMP/e" "S001 (" "the remade sheet is named"
has "$TMP/e" "--resend S001" "and how to send it"
stop_server
[ "$(received "$S")" = 0 ] && ok "a remade sheet is not sent again" || fail "sent $(received "$S")"
start_server "$S" accept 0
send --resend S001
expect 0 "--resend S001"
stop_server
[ "$(received "$S")" = 1 ] && grep -q pat@example.org "$S/001.rcpt" && ok "--resend sends it once" || fail "resend sent $(received "$S")"

# A dropped connection and a permanent refusal.
rm -rf "$OUT/mail"
start_server "$S" drop 1
send
expect 75 "a dropped connection"
stop_server
rows=$(cat "$OUT"/mail/sent-*.csv | grep -c '@' || true)
[ "$rows" = 1 ] && ok "after a drop the log holds only the accepted one" || fail "$rows log rows after a drop"
start_server "$S" 554 0
send
expect 69 "554: refused for good"
has "$TMP/e" "554 5.7.1" "the refusal is shown"
stop_server

# A recipient refused: that state is not sent to anyone (one transaction,
# all its recipients or none), the others are.
rm -rf "$OUT/mail"
start_server "$S" badrcpt 0
send
expect 69 "a refused recipient"
has "$TMP/e" "550 5.1.1" "the refusal is shown"
has "$TMP/e" "not sent: ND" "ND is named as not sent"
stop_server
if grep -q "jane.roe@example.org" "$S"/*.rcpt; then fail "ND went to some of its recipients"; else ok "ND went to none of its recipients"; fi
[ "$(received "$S")" = 1 ] && grep -q pat@example.org "$S/001.rcpt" && ok "the other state (S001) was sent" \
  || fail "$(received "$S") sent, not S001's 1"

# One sender per folder: while another holds the mail folder, nothing is sent.
start_server "$S" accept 0
set +e
flock "$OUT/mail" "$BIN" mail --allow-sample --from sender@example.org --send "smtp://127.0.0.1:$PORT" \
  --contacts "$CONTACTS" "$OUT" >"$TMP/o" 2>"$TMP/e"
rc=$?
set -e
expect 75 "another run is sending from the folder"
has "$TMP/e" "another statesheet mail --send" "says so"
stop_server
[ "$(received "$S")" = 0 ] && ok "nothing sent while another run sends" || fail "sent $(received "$S") beside another run"

# STARTTLS is required off loopback: 'localhost' is a name, not 127.0.0.1.
start_server "$S" accept 0
run mail --allow-sample --from sender@example.org --send "smtp://localhost:$PORT" --contacts "$CONTACTS" "$OUT"
expect 69 "no STARTTLS to a name"
has "$TMP/e" "STARTTLS" "says STARTTLS is missing"
stop_server
[ "$(received "$S")" = 0 ] && ok "nothing sent without TLS" || fail "sent without TLS"

# Credentials from a netrc file, never the command line.
rm -rf "$OUT/mail"
printf 'machine 127.0.0.1 login mailer password s3cret\n' > "$TMP/netrc"
chmod 600 "$TMP/netrc"
start_server "$S" accept 0 mailer s3cret
send --netrc-file "$TMP/netrc"
expect 0 "a login from --netrc-file"
stop_server
[ "$(cat "$S/login" 2>/dev/null)" = mailer ] && ok "the server saw the netrc login" || fail "no login"

exit $((fails > 0))
