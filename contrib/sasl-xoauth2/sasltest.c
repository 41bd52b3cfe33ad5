/*
 * sasltest.c - drive the tokenbroker-oauth2 plugin through the real
 * libsasl2 client API.
 *
 *   sasltest MECH USER TOKEN HOST [ERROR_CHALLENGE]
 *   sasltest --interact MECH USER TOKEN HOST [ERROR_CHALLENGE]
 *   sasltest --selftest
 *
 * Output (stdout, one item per line):
 *   1. the mechanism chosen by sasl_client_start
 *   2. base64 of the initial client response
 *   3. only if ERROR_CHALLENGE is given: base64 of the response to that
 *      (raw) server challenge; an empty line if the response is empty
 *
 * HOST is passed to sasl_client_new as the server FQDN; an empty HOST
 * passes NULL (no host).  The plugin is loaded only from $SASL_PATH if set
 * and non-empty, else from the directory holding this executable.
 *
 * Exit status: 0 success, 1 SASL failure, 2 usage/system error.  On
 * failure one line is written to stderr.  Set SASLTEST_DEBUG=1 to see
 * libsasl2's log messages on stderr.
 */

#define _DEFAULT_SOURCE 1 /* explicit_bzero */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sasl/sasl.h>
#include <sasl/saslutil.h>

/* generic callback pointer for sasl_callback_t.proc, via void (*)(void)
 * so that -Wcast-function-type stays quiet */
#define CB(f) ((int (*)(void))(void (*)(void))(f))

#define EXIT_SASL 1
#define EXIT_USAGE 2

typedef struct creds {
    const char *user;
    sasl_secret_t *secret;
    int user_len_mode; /* 0: set *len = strlen, 1: leave *len alone */
} creds_t;

static char plugin_dir[PATH_MAX];

/* ------------------------------------------------------------------ */

static int cb_getpath(void *context, const char **path)
{
    (void)context;
    if (path == NULL)
        return SASL_BADPARAM;
    *path = plugin_dir;
    return SASL_OK;
}

static int cb_log(void *context, int level, const char *message)
{
    (void)context;
    if (getenv("SASLTEST_DEBUG") != NULL && message != NULL)
        fprintf(stderr, "sasltest: libsasl2[%d]: %s\n", level, message);
    return SASL_OK;
}

static int cb_user(void *context, int id, const char **result, unsigned *len)
{
    creds_t *c = context;

    if (c == NULL || result == NULL ||
        (id != SASL_CB_AUTHNAME && id != SASL_CB_USER))
        return SASL_BADPARAM;
    *result = c->user;
    if (len != NULL && c->user_len_mode == 0)
        *len = (unsigned)strlen(c->user);
    return SASL_OK;
}

static int cb_pass(sasl_conn_t *conn, void *context, int id,
                   sasl_secret_t **psecret)
{
    creds_t *c = context;

    (void)conn;
    if (c == NULL || psecret == NULL || id != SASL_CB_PASS)
        return SASL_BADPARAM;
    *psecret = c->secret;
    return SASL_OK;
}

static sasl_secret_t *secret_new(const char *data, size_t len)
{
    sasl_secret_t *s;

    if (len > (size_t)UINT_MAX)
        return NULL;
    s = malloc(sizeof(*s) + len);
    if (s == NULL)
        return NULL;
    s->len = (unsigned long)len;
    memcpy(s->data, data, len);
    s->data[len] = '\0';
    return s;
}

static void secret_free(sasl_secret_t *s)
{
    if (s != NULL) {
        explicit_bzero(s, sizeof(*s) + s->len);
        free(s);
    }
}

static int set_plugin_dir(const char *argv0)
{
    const char *env = getenv("SASL_PATH");
    char exe[PATH_MAX];
    ssize_t n;
    char *slash;

    if (env != NULL && env[0] != '\0') {
        if (strlen(env) >= sizeof(plugin_dir))
            return -1;
        strcpy(plugin_dir, env);
        return 0;
    }
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n < 0) {
        if (argv0 == NULL || strlen(argv0) >= sizeof(exe))
            return -1;
        strcpy(exe, argv0);
    } else {
        exe[n] = '\0';
    }
    slash = strrchr(exe, '/');
    if (slash == NULL) {
        strcpy(plugin_dir, ".");
    } else if (slash == exe) {
        strcpy(plugin_dir, "/");
    } else {
        *slash = '\0';
        strcpy(plugin_dir, exe);
    }
    return 0;
}

static const sasl_callback_t global_callbacks[] = {
    { SASL_CB_GETPATH, CB(&cb_getpath), NULL },
    { SASL_CB_LOG, CB(&cb_log), NULL },
    { SASL_CB_LIST_END, NULL, NULL }
};

/* base64 of buf into a freshly allocated string; caller wipes and frees */
static char *b64(const char *buf, unsigned len)
{
    size_t max = ((size_t)len + 2) / 3 * 4 + 1;
    unsigned outlen = 0;
    char *out;

    if (max > UINT_MAX)
        return NULL;
    out = malloc(max);
    if (out == NULL)
        return NULL;
    if (sasl_encode64(buf, len, out, (unsigned)max, &outlen) != SASL_OK) {
        free(out);
        return NULL;
    }
    out[outlen] = '\0';
    return out;
}

static void wipe_free(char *s)
{
    if (s != NULL) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

static int fill_prompts(sasl_interact_t *p, const char *user, const char *token)
{
    for (; p->id != SASL_CB_LIST_END; p++) {
        if (p->id == SASL_CB_AUTHNAME || p->id == SASL_CB_USER) {
            p->result = user;
            p->len = (unsigned)strlen(user);
        } else if (p->id == SASL_CB_PASS) {
            p->result = token;
            p->len = (unsigned)strlen(token);
        } else {
            return -1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* CLI mode                                                            */

static int run_cli(int interact, const char *mech, const char *user,
                   const char *token, const char *host, const char *chal)
{
    creds_t creds;
    sasl_callback_t cbs[3];
    sasl_conn_t *conn = NULL;
    sasl_interact_t *prompts = NULL;
    const char *out = NULL, *chosen = NULL;
    unsigned outlen = 0;
    char *enc = NULL;
    int r, rc = EXIT_SASL, rounds = 0;

    memset(&creds, 0, sizeof(creds));
    creds.user = user;
    if (!interact) {
        creds.secret = secret_new(token, strlen(token));
        if (creds.secret == NULL) {
            fprintf(stderr, "sasltest: out of memory\n");
            return EXIT_USAGE;
        }
        cbs[0].id = SASL_CB_AUTHNAME;
        cbs[0].proc = CB(&cb_user);
        cbs[0].context = &creds;
        cbs[1].id = SASL_CB_PASS;
        cbs[1].proc = CB(&cb_pass);
        cbs[1].context = &creds;
    } else {
        /* listed without a procedure: libsasl2 answers SASL_INTERACT */
        cbs[0].id = SASL_CB_AUTHNAME;
        cbs[0].proc = NULL;
        cbs[0].context = NULL;
        cbs[1].id = SASL_CB_PASS;
        cbs[1].proc = NULL;
        cbs[1].context = NULL;
    }
    cbs[2].id = SASL_CB_LIST_END;
    cbs[2].proc = NULL;
    cbs[2].context = NULL;

    r = sasl_client_new("smtp", host[0] != '\0' ? host : NULL, NULL, NULL,
                        cbs, 0, &conn);
    if (r != SASL_OK) {
        fprintf(stderr, "sasltest: sasl_client_new: %s\n",
                sasl_errstring(r, NULL, NULL));
        goto done;
    }

    for (;;) {
        r = sasl_client_start(conn, mech, &prompts, &out, &outlen, &chosen);
        if (r != SASL_INTERACT)
            break;
        if (!interact || prompts == NULL || ++rounds > 3 ||
            fill_prompts(prompts, user, token) != 0) {
            fprintf(stderr, "sasltest: unexpected interaction request\n");
            goto done;
        }
    }
    if (r != SASL_OK && r != SASL_CONTINUE) {
        fprintf(stderr, "sasltest: sasl_client_start: %s\n",
                sasl_errdetail(conn));
        goto done;
    }
    if (interact && rounds == 0) {
        fprintf(stderr, "sasltest: interaction was expected but not used\n");
        goto done;
    }
    if (chosen == NULL || out == NULL) {
        fprintf(stderr, "sasltest: no mechanism or no initial response\n");
        goto done;
    }
    enc = b64(out, outlen);
    if (enc == NULL) {
        fprintf(stderr, "sasltest: base64 encoding failed\n");
        goto done;
    }
    printf("%s\n%s\n", chosen, enc);
    wipe_free(enc);
    enc = NULL;

    if (chal != NULL) {
        r = sasl_client_step(conn, chal, (unsigned)strlen(chal), NULL,
                             &out, &outlen);
        if (r != SASL_OK && r != SASL_CONTINUE) {
            fprintf(stderr, "sasltest: sasl_client_step: %s\n",
                    sasl_errdetail(conn));
            goto done;
        }
        enc = b64(out != NULL ? out : "", out != NULL ? outlen : 0);
        if (enc == NULL) {
            fprintf(stderr, "sasltest: base64 encoding failed\n");
            goto done;
        }
        printf("%s\n", enc);
        wipe_free(enc);
        enc = NULL;
    }
    if (fflush(stdout) != 0) {
        fprintf(stderr, "sasltest: writing output: %s\n", strerror(errno));
        goto done;
    }
    rc = 0;

done:
    if (conn != NULL)
        sasl_dispose(&conn);
    secret_free(creds.secret);
    return rc;
}

/* ------------------------------------------------------------------ */
/* self test: behaviour that the CLI cannot show                       */

static int n_pass, n_fail;

static void check(int ok, const char *name, const char *detail)
{
    if (ok) {
        n_pass++;
        printf("ok - %s\n", name);
    } else {
        n_fail++;
        printf("not ok - %s%s%s\n", name, detail ? ": " : "",
               detail ? detail : "");
    }
}

static sasl_conn_t *conn_new(creds_t *c, sasl_callback_t *cbs,
                             const char *host, unsigned secflags)
{
    sasl_conn_t *conn = NULL;
    sasl_security_properties_t props;

    cbs[0].id = SASL_CB_AUTHNAME;
    cbs[0].proc = CB(&cb_user);
    cbs[0].context = c;
    cbs[1].id = SASL_CB_PASS;
    cbs[1].proc = CB(&cb_pass);
    cbs[1].context = c;
    cbs[2].id = SASL_CB_LIST_END;
    cbs[2].proc = NULL;
    cbs[2].context = NULL;
    if (sasl_client_new("smtp", host, NULL, NULL, cbs, 0, &conn) != SASL_OK)
        return NULL;
    /* as Postfix's xsasl_cyrus_client_set_security does */
    memset(&props, 0, sizeof(props));
    props.min_ssf = 0;
    props.max_ssf = 0;
    props.security_flags = secflags;
    if (sasl_setprop(conn, SASL_SEC_PROPS, &props) != SASL_OK) {
        sasl_dispose(&conn);
        return NULL;
    }
    return conn;
}

static int same(const char *a, unsigned alen, const char *b, size_t blen)
{
    return a != NULL && alen == blen && memcmp(a, b, blen) == 0;
}

#define LIT(s) (s), (sizeof(s) - 1)

static void selftest_secflags(void)
{
    static const struct {
        const char *postfix_value;
        unsigned flags;
        int allowed;
    } cases[] = {
        { "(empty)", 0, 1 },
        { "noanonymous", SASL_SEC_NOANONYMOUS, 1 },
        { "noplaintext", SASL_SEC_NOPLAINTEXT, 0 },
        { "noplaintext, noanonymous",
          SASL_SEC_NOPLAINTEXT | SASL_SEC_NOANONYMOUS, 0 },
        { "noactive", SASL_SEC_NOACTIVE, 0 },
        { "nodictionary", SASL_SEC_NODICTIONARY, 0 },
        { "mutual_auth", SASL_SEC_MUTUAL_AUTH, 0 },
        { "forward_secrecy", SASL_SEC_FORWARD_SECRECY, 0 },
    };
    static const char *mechs[] = { "XOAUTH2", "OAUTHBEARER" };
    size_t i, m;
    char name[160];

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (m = 0; m < 2; m++) {
            creds_t c = { "u", NULL, 0 };
            sasl_callback_t cbs[3];
            sasl_conn_t *conn;
            const char *out = NULL, *chosen = NULL;
            unsigned outlen = 0;
            int r, allowed;

            c.secret = secret_new(LIT("t"));
            conn = conn_new(&c, cbs, "h", cases[i].flags);
            r = conn ? sasl_client_start(conn, mechs[m], NULL, &out, &outlen,
                                         &chosen)
                     : SASL_FAIL;
            allowed = (r == SASL_CONTINUE || r == SASL_OK);
            snprintf(name, sizeof(name),
                     "smtp_sasl_security_options = %s: %s %s",
                     cases[i].postfix_value, mechs[m],
                     cases[i].allowed ? "allowed" : "refused (SASL_NOMECH)");
            check(allowed == cases[i].allowed &&
                  (allowed || r == SASL_NOMECH), name,
                  sasl_errstring(r, NULL, NULL));
            if (conn)
                sasl_dispose(&conn);
            secret_free(c.secret);
        }
    }
}

static void selftest_flow(void)
{
    creds_t c = { "user@example.com", NULL, 0 };
    sasl_callback_t cbs[3];
    sasl_conn_t *conn;
    const char *out = NULL, *chosen = NULL;
    const void *pv = NULL;
    unsigned outlen = 0;
    int r;

    c.secret = secret_new(LIT("tok"));

    /* server sends an empty challenge first (no initial-response support) */
    conn = conn_new(&c, cbs, "smtp.example.com", SASL_SEC_NOANONYMOUS);
    r = conn ? sasl_client_start(conn, "XOAUTH2", NULL, NULL, NULL, &chosen)
             : SASL_FAIL;
    check(r == SASL_CONTINUE, "start without initial response: CONTINUE",
          sasl_errstring(r, NULL, NULL));
    r = conn ? sasl_client_step(conn, "", 0, NULL, &out, &outlen) : SASL_FAIL;
    check(r == SASL_CONTINUE &&
          same(out, outlen,
               LIT("user=user@example.com\x01" "auth=Bearer tok\x01\x01")),
          "empty server challenge first: XOAUTH2 initial response", NULL);
    /* server accepts; application finishes with an empty step */
    r = conn ? sasl_client_step(conn, "", 0, NULL, &out, &outlen) : SASL_FAIL;
    check(r == SASL_OK && outlen == 0,
          "empty challenge after initial response: SASL_OK, done",
          sasl_errstring(r, NULL, NULL));
    r = conn ? sasl_getprop(conn, SASL_USERNAME, &pv) : SASL_FAIL;
    check(r == SASL_OK && pv != NULL &&
          strcmp((const char *)pv, "user@example.com") == 0,
          "SASL_USERNAME is the user after completion", NULL);
    if (conn)
        sasl_dispose(&conn);

    /* error challenge, then one more step: SASL_BADPROT */
    conn = conn_new(&c, cbs, "smtp.example.com", 0);
    r = conn ? sasl_client_start(conn, "OAUTHBEARER", NULL, &out, &outlen,
                                 &chosen)
             : SASL_FAIL;
    check(r == SASL_CONTINUE &&
          same(out, outlen,
               LIT("n,a=user@example.com,\x01host=smtp.example.com\x01"
                   "auth=Bearer tok\x01\x01")),
          "OAUTHBEARER initial response", NULL);
    r = conn ? sasl_client_step(conn, LIT("{\"status\":\"invalid_token\"}"),
                                NULL, &out, &outlen)
             : SASL_FAIL;
    check(r == SASL_CONTINUE && same(out, outlen, LIT("\x01")),
          "OAUTHBEARER error challenge answered with 0x01", NULL);
    r = conn ? sasl_client_step(conn, LIT("x"), NULL, &out, &outlen)
             : SASL_FAIL;
    check(r == SASL_BADPROT, "step after error answer: SASL_BADPROT",
          sasl_errstring(r, NULL, NULL));
    if (conn)
        sasl_dispose(&conn);

    /* XOAUTH2 error challenge answered with an empty response */
    conn = conn_new(&c, cbs, "smtp.example.com", 0);
    r = conn ? sasl_client_start(conn, "XOAUTH2", NULL, &out, &outlen,
                                 &chosen)
             : SASL_FAIL;
    r = conn ? sasl_client_step(conn, LIT("{\"status\":\"401\"}"), NULL, &out,
                                &outlen)
             : SASL_FAIL;
    check(r == SASL_CONTINUE && outlen == 0,
          "XOAUTH2 error challenge answered with empty response", NULL);
    r = conn ? sasl_client_step(conn, "", 0, NULL, &out, &outlen) : SASL_FAIL;
    check(r == SASL_BADPROT, "XOAUTH2 step after error answer: SASL_BADPROT",
          sasl_errstring(r, NULL, NULL));
    if (conn)
        sasl_dispose(&conn);

    /* a non-empty challenge before the initial response */
    conn = conn_new(&c, cbs, "smtp.example.com", 0);
    r = conn ? sasl_client_start(conn, "XOAUTH2", NULL, NULL, NULL, &chosen)
             : SASL_FAIL;
    r = conn ? sasl_client_step(conn, LIT("junk"), NULL, &out, &outlen)
             : SASL_FAIL;
    check(r == SASL_BADPROT, "non-empty challenge first: SASL_BADPROT",
          sasl_errstring(r, NULL, NULL));
    if (conn)
        sasl_dispose(&conn);

    /* no server FQDN: OAUTHBEARER omits host= */
    conn = conn_new(&c, cbs, NULL, 0);
    r = conn ? sasl_client_start(conn, "OAUTHBEARER", NULL, &out, &outlen,
                                 &chosen)
             : SASL_FAIL;
    check(r == SASL_CONTINUE &&
          same(out, outlen,
               LIT("n,a=user@example.com,\x01" "auth=Bearer tok\x01\x01")),
          "OAUTHBEARER without server name omits host", NULL);
    if (conn)
        sasl_dispose(&conn);

    /* dispose right after the initial response (token buffer freed) */
    conn = conn_new(&c, cbs, "h", 0);
    r = conn ? sasl_client_start(conn, "XOAUTH2", NULL, &out, &outlen,
                                 &chosen)
             : SASL_FAIL;
    check(r == SASL_CONTINUE, "dispose after initial response", NULL);
    if (conn)
        sasl_dispose(&conn);

    secret_free(c.secret);
}

static void expect_badparam(const char *name, const char *mech,
                            const char *user, const char *tok, size_t toklen,
                            int len_mode)
{
    creds_t c;
    sasl_callback_t cbs[3];
    sasl_conn_t *conn;
    const char *out = NULL, *chosen = NULL;
    unsigned outlen = 0;
    int r;

    c.user = user;
    c.user_len_mode = len_mode;
    c.secret = secret_new(tok, toklen);
    conn = conn_new(&c, cbs, "h", 0);
    r = conn ? sasl_client_start(conn, mech, NULL, &out, &outlen, &chosen)
             : SASL_FAIL;
    check(r == SASL_BADPARAM, name, sasl_errstring(r, NULL, NULL));
    if (conn)
        sasl_dispose(&conn);
    secret_free(c.secret);
}

static void selftest_bad_input(void)
{
    expect_badparam("token with NUL (secret length): SASL_BADPARAM",
                    "XOAUTH2", "u", "to\0k", 4, 0);
    expect_badparam("token with 0x01: SASL_BADPARAM (OAUTHBEARER)",
                    "OAUTHBEARER", "u", LIT("to\x01k"), 0);
    expect_badparam("empty token: SASL_BADPARAM", "XOAUTH2", "u", "", 0, 0);
    expect_badparam("user with 0x01: SASL_BADPARAM", "XOAUTH2",
                    "u\x01x", LIT("tok"), 0);
    expect_badparam("user with 0x01, callback leaves len unset",
                    "OAUTHBEARER", "u\x01x", LIT("tok"), 1);
    expect_badparam("empty user: SASL_BADPARAM", "OAUTHBEARER", "",
                    LIT("tok"), 0);
}

static void selftest_interact(void)
{
    sasl_callback_t cbs[3] = {
        { SASL_CB_AUTHNAME, NULL, NULL },
        { SASL_CB_PASS, NULL, NULL },
        { SASL_CB_LIST_END, NULL, NULL }
    };
    creds_t c = { "cbuser", NULL, 0 };
    sasl_callback_t mixed[3] = {
        { SASL_CB_AUTHNAME, CB(&cb_user), NULL },
        { SASL_CB_PASS, NULL, NULL },
        { SASL_CB_LIST_END, NULL, NULL }
    };
    sasl_conn_t *conn = NULL;
    sasl_interact_t *prompts = NULL, *p;
    const char *out = NULL, *chosen = NULL;
    unsigned outlen = 0;
    int r, n;

    mixed[0].context = &c;

    /* application does not support interaction: clean error */
    r = sasl_client_new("smtp", "h", NULL, NULL, cbs, 0, &conn);
    r = r == SASL_OK ? sasl_client_start(conn, "XOAUTH2", NULL, &out, &outlen,
                                         &chosen)
                     : r;
    check(r != SASL_OK && r != SASL_CONTINUE && r != SASL_INTERACT,
          "interaction needed but prompt_need is NULL: error",
          sasl_errstring(r, NULL, NULL));
    if (conn)
        sasl_dispose(&conn);

    /* prompts handed out, then the connection is disposed (no leak) */
    r = sasl_client_new("smtp", "h", NULL, NULL, cbs, 0, &conn);
    prompts = NULL;
    r = r == SASL_OK ? sasl_client_start(conn, "XOAUTH2", &prompts, &out,
                                         &outlen, &chosen)
                     : r;
    n = 0;
    if (r == SASL_INTERACT && prompts != NULL)
        for (p = prompts; p->id != SASL_CB_LIST_END; p++)
            n++;
    check(r == SASL_INTERACT && n == 2,
          "both values missing: SASL_INTERACT with two prompts", NULL);
    if (conn)
        sasl_dispose(&conn);

    /* user from the callback, token from a prompt */
    r = sasl_client_new("smtp", "h", NULL, NULL, mixed, 0, &conn);
    prompts = NULL;
    r = r == SASL_OK ? sasl_client_start(conn, "XOAUTH2", &prompts, &out,
                                         &outlen, &chosen)
                     : r;
    n = 0;
    if (r == SASL_INTERACT && prompts != NULL)
        for (p = prompts; p->id != SASL_CB_LIST_END; p++)
            n += p->id == SASL_CB_PASS ? 1 : 100;
    check(r == SASL_INTERACT && n == 1,
          "only the token missing: one SASL_CB_PASS prompt", NULL);
    if (r == SASL_INTERACT && fill_prompts(prompts, "ignored", "ptok") == 0)
        r = sasl_client_start(conn, "XOAUTH2", &prompts, &out, &outlen,
                              &chosen);
    check(r == SASL_CONTINUE &&
          same(out, outlen,
               LIT("user=cbuser\x01" "auth=Bearer ptok\x01\x01")),
          "user from callback, token from prompt", NULL);
    if (conn)
        sasl_dispose(&conn);
}

static int run_selftest(void)
{
    selftest_secflags();
    selftest_flow();
    selftest_bad_input();
    selftest_interact();
    printf("%d passed, %d failed\n", n_pass, n_fail);
    fflush(stdout);
    if (n_fail != 0)
        fprintf(stderr, "sasltest: %d self-test check(s) failed\n", n_fail);
    return n_fail == 0 ? 0 : EXIT_SASL;
}

/* ------------------------------------------------------------------ */

static void usage(void)
{
    fprintf(stderr,
            "usage: sasltest [--interact] MECH USER TOKEN HOST "
            "[ERROR_CHALLENGE] | sasltest --selftest\n");
}

int main(int argc, char **argv)
{
    int interact = 0, selftest = 0, rc, r;
    char **a = argv + 1;
    int n = argc - 1;

    if (n >= 1 && strcmp(a[0], "--interact") == 0) {
        interact = 1;
        a++;
        n--;
    } else if (n == 1 && strcmp(a[0], "--selftest") == 0) {
        selftest = 1;
    }
    if (!selftest && n != 4 && n != 5) {
        usage();
        return EXIT_USAGE;
    }
    if (set_plugin_dir(argv[0]) != 0) {
        fprintf(stderr, "sasltest: cannot determine the plugin directory\n");
        return EXIT_USAGE;
    }

    r = sasl_client_init(global_callbacks);
    if (r != SASL_OK) {
        fprintf(stderr, "sasltest: sasl_client_init: %s (plugin dir %s)\n",
                sasl_errstring(r, NULL, NULL), plugin_dir);
        return EXIT_SASL;
    }

    if (selftest)
        rc = run_selftest();
    else
        rc = run_cli(interact, a[0], a[1], a[2], a[3], n == 5 ? a[4] : NULL);

    sasl_client_done();
    return rc;
}
