#!/bin/sh
# check.sh SASLTEST PLUGIN_SO [INSTALLED_PLUGIN_DIR]
#
# Runs sasltest under $VALGRIND and compares its output with responses
# built here independently (printf | base64).  Prints "N passed, M failed"
# last and exits non-zero if anything failed.

set -u
unset SASL_PATH

ST=$1
SO=$2
INSTALLED=${3-}
VALGRIND=${VALGRIND-valgrind --error-exitcode=3 --leak-check=full --errors-for-leak-kinds=definite}

T=$(mktemp -d "${TMPDIR:-/tmp}/sasl-xoauth2-check.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT HUP INT TERM

pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok - $1"; }
notok() {
    fail=$((fail + 1)); echo "not ok - $1"
    shift
    for f in "$@"; do [ -s "$f" ] && sed 's/^/#   /' "$f"; done
}

# run NAME EXPECTED_RC EXPECTED_STDOUT_FILE ARGS...
# (EXPECTED_STDOUT_FILE may be "-" to skip the stdout comparison)
run() {
    name=$1 erc=$2 eout=$3
    shift 3
    rm -f "$T/vg.log"
    # shellcheck disable=SC2086
    $VALGRIND --log-file="$T/vg.log" "$ST" "$@" >"$T/out" 2>"$T/err"
    rc=$?
    if [ "$rc" -eq 3 ]; then
        notok "$name (valgrind reported errors)" "$T/vg.log" "$T/err"
        return
    fi
    if [ "$rc" -ne "$erc" ]; then
        notok "$name (exit $rc, expected $erc)" "$T/err" "$T/out"
        return
    fi
    if [ "$eout" != - ] && ! cmp -s "$eout" "$T/out"; then
        notok "$name (unexpected output)" "$T/out"
        echo "#   expected:"; sed 's/^/#   /' "$eout"
        return
    fi
    if [ "$erc" -ne 0 ]; then
        if [ ! -s "$T/out" ] && [ "$(wc -l <"$T/err")" -eq 1 ]; then :; else
            notok "$name (failure must print nothing on stdout and one line on stderr)" "$T/out" "$T/err"
            return
        fi
    fi
    ok "$name"
}

# expected output files ------------------------------------------------

xo() { # USER TOKEN -> base64 XOAUTH2 initial response
    printf 'user=%s\001auth=Bearer %s\001\001' "$1" "$2" | base64 -w0
}
esc() { printf '%s' "$1" | sed -e 's/=/=3D/g' -e 's/,/=2C/g'; }
ob() { # USER TOKEN [HOST] -> base64 OAUTHBEARER initial response
    if [ -n "${3-}" ]; then
        printf 'n,a=%s,\001host=%s\001auth=Bearer %s\001\001' \
            "$(esc "$1")" "$3" "$2" | base64 -w0
    else
        printf 'n,a=%s,\001auth=Bearer %s\001\001' "$(esc "$1")" "$2" |
            base64 -w0
    fi
}
expect() { # FILE LINE... (each line followed by a newline)
    f=$1; shift
    : >"$f"
    for l in "$@"; do printf '%s\n' "$l" >>"$f"; done
}

U=user@example.com
TOK='ya29.a0Ae-Token_with.all~chars+/=='
H=smtp.example.com
CHAL='{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}'
LONGTOK=$(head -c 6000 /dev/zero | tr '\0' 'A')
ODDU='a,b=c,=@example.com'
TOK01=$(printf 'secret\001token')
USER01=$(printf 'us\001er')
ACK01=$(printf '\001' | base64 -w0)

# the plugin exports only sasl_client_plug_init --------------------------
syms=$(nm -D --defined-only "$SO" | awk '$2 ~ /^[TDBRW]$/ {print $3}' | sort | tr '\n' ' ')
if [ "$syms" = "sasl_client_plug_init " ]; then
    ok "exported symbols: sasl_client_plug_init only"
else
    notok "exported symbols: got '$syms'"
fi

# XOAUTH2 --------------------------------------------------------------
expect "$T/e1" XOAUTH2 "$(xo "$U" "$TOK")"
run "XOAUTH2 initial response" 0 "$T/e1" XOAUTH2 "$U" "$TOK" "$H"

expect "$T/e2" XOAUTH2 "$(xo "$U" "$TOK")" ""
run "XOAUTH2 error challenge -> empty response" 0 "$T/e2" \
    XOAUTH2 "$U" "$TOK" "$H" "$CHAL"

expect "$T/e3" XOAUTH2 "$(xo "$U" "$TOK")" ""
run "XOAUTH2 --interact with error challenge" 0 "$T/e3" \
    --interact XOAUTH2 "$U" "$TOK" "$H" "$CHAL"

expect "$T/e4" XOAUTH2 "$(xo "$U" "$LONGTOK")"
run "XOAUTH2 6000-byte token" 0 "$T/e4" XOAUTH2 "$U" "$LONGTOK" "$H"

# OAUTHBEARER ----------------------------------------------------------
expect "$T/e5" OAUTHBEARER "$(ob "$U" "$TOK" "$H")"
run "OAUTHBEARER initial response with host" 0 "$T/e5" \
    OAUTHBEARER "$U" "$TOK" "$H"

expect "$T/e6" OAUTHBEARER "$(ob "$U" "$TOK" "$H")" "$ACK01"
run "OAUTHBEARER error challenge -> 0x01" 0 "$T/e6" \
    OAUTHBEARER "$U" "$TOK" "$H" "$CHAL"

expect "$T/e7" OAUTHBEARER "$(ob "$ODDU" "$TOK" "$H")"
run "OAUTHBEARER user with ',' and '=' escaped" 0 "$T/e7" \
    OAUTHBEARER "$ODDU" "$TOK" "$H"
# the same, against a literal (guards the sed-based expectation above)
case $(sed -n 2p "$T/out" | base64 -d 2>/dev/null | head -c 32) in
    'n,a=a=2Cb=3Dc=2C=3D@example.com,') ok "gs2 header is literally n,a=a=2Cb=3Dc=2C=3D@example.com," ;;
    *) notok "gs2 header is literally n,a=a=2Cb=3Dc=2C=3D@example.com," ;;
esac

expect "$T/e8" OAUTHBEARER "$(ob "$U" "$TOK")"
run "OAUTHBEARER empty HOST -> no host field" 0 "$T/e8" \
    OAUTHBEARER "$U" "$TOK" ""

expect "$T/e9" OAUTHBEARER "$(ob "$ODDU" "$TOK" "$H")" "$ACK01"
run "OAUTHBEARER --interact with error challenge" 0 "$T/e9" \
    --interact OAUTHBEARER "$ODDU" "$TOK" "$H" "$CHAL"

# failures ---------------------------------------------------------------
run "token containing 0x01 rejected (XOAUTH2)" 1 - XOAUTH2 "$U" "$TOK01" "$H"
if grep -q token "$T/err" && ! grep -q secret "$T/err"; then
    ok "error message does not contain the token"
else
    notok "error message does not contain the token" "$T/err"
fi
run "token containing 0x01 rejected (OAUTHBEARER)" 1 - \
    OAUTHBEARER "$U" "$TOK01" "$H"
run "token containing 0x01 rejected (--interact)" 1 - \
    --interact XOAUTH2 "$U" "$TOK01" "$H"
run "user containing 0x01 rejected" 1 - OAUTHBEARER "$USER01" "$TOK" "$H"
run "only the built plugin is loaded (PLAIN unavailable)" 1 - \
    PLAIN "$U" "$TOK" "$H"
run "usage error" 2 - XOAUTH2 "$U"

# behaviour the CLI cannot show (security flags, extra steps, NUL) ----------
run "sasltest --selftest" 0 - --selftest
sed -e '/^ok - /d' -e 's/^/#   /' "$T/out"
grep '^ok - smtp_sasl_security_options' "$T/out" | sed 's/^ok - /#   /'

# the installed copy, loaded through SASL_PATH ------------------------------
if [ -n "$INSTALLED" ]; then
    if [ -f "$INSTALLED/$(basename "$SO")" ]; then
        ok "installed into $INSTALLED"
    else
        notok "installed into $INSTALLED"
    fi
    SASL_PATH=$INSTALLED
    export SASL_PATH
    run "installed plugin via SASL_PATH (XOAUTH2)" 0 \
        "$T/e1" XOAUTH2 "$U" "$TOK" "$H"
    run "installed plugin via SASL_PATH (OAUTHBEARER)" 0 \
        "$T/e6" OAUTHBEARER "$U" "$TOK" "$H" "$CHAL"
    unset SASL_PATH
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
