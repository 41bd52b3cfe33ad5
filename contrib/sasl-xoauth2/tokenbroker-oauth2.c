/*
 * tokenbroker-oauth2.c - Cyrus SASL client plugin for XOAUTH2 and
 * OAUTHBEARER (RFC 7628), part of TokenBroker.
 *
 * The OAuth2 access token is taken from the SASL password (SASL_CB_PASS,
 * sasl_getsecret_t) and the user from SASL_CB_AUTHNAME.  Both can also be
 * supplied through SASL_INTERACT prompts.  This is what Postfix's smtp(8)
 * client provides when smtp_sasl_password_maps returns "user:token".
 *
 * Exchange (client side):
 *   step 1 (no server data, or an empty server challenge): send the initial
 *          response, return SASL_CONTINUE.
 *   step 2, non-empty challenge (the server's JSON error): answer with an
 *          empty response (XOAUTH2) or a single 0x01 byte (OAUTHBEARER,
 *          RFC 7628 section 3.2.3) so that the server completes with its
 *          failure; return SASL_CONTINUE.
 *   step 2, empty challenge / no data (server reported success to an
 *          application that finishes the exchange with an empty step):
 *          return SASL_OK, exchange done.
 *   any further step: SASL_BADPROT.
 *
 * The token is never logged.  Every buffer that held it is wiped before it
 * is freed.
 */

#define _DEFAULT_SOURCE 1 /* explicit_bzero */

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sasl/sasl.h>
#include <sasl/saslplug.h>

#define TB_EXPORT __attribute__((visibility("default")))

/* Upper bound for the user name, the token and the host (each). */
#define TB_MAX_FIELD ((size_t)1 << 20)

enum tb_mech_kind {
    TB_XOAUTH2 = 1,
    TB_OAUTHBEARER = 2
};

enum tb_state {
    TB_STATE_INITIAL = 0,  /* initial response not yet produced */
    TB_STATE_SENT = 1,     /* initial response handed out */
    TB_STATE_ERROR_ACK = 2,/* answered the server's error challenge */
    TB_STATE_DONE = 3      /* exchange finished */
};

typedef struct tb_context {
    int kind;
    int state;
    char *out;               /* response buffer; holds the token */
    size_t outlen;
    sasl_interact_t *prompts;/* prompt array handed out, not yet consumed */
} tb_context_t;

static const int tb_kind_xoauth2 = TB_XOAUTH2;
static const int tb_kind_oauthbearer = TB_OAUTHBEARER;

static const unsigned long tb_required_prompts[] = {
    SASL_CB_AUTHNAME,
    SASL_CB_PASS,
    SASL_CB_LIST_END
};

/* ------------------------------------------------------------------ */
/* helpers                                                             */

static void tb_wipe(void *p, size_t n)
{
    if (p != NULL && n > 0)
        explicit_bzero(p, n);
}

static void tb_free_out(tb_context_t *ctx, const sasl_utils_t *utils)
{
    if (ctx->out != NULL) {
        tb_wipe(ctx->out, ctx->outlen);
        utils->free(ctx->out);
        ctx->out = NULL;
    }
    ctx->outlen = 0;
}

/* *sum = a + b, returns 0 on overflow */
static int tb_add(size_t *sum, size_t a, size_t b)
{
    if (a > SIZE_MAX - b)
        return 0;
    *sum = a + b;
    return 1;
}

/* returns 1 if buf[0..len) contains a NUL or 0x01 byte */
static int tb_has_bad_byte(const char *buf, size_t len)
{
    return memchr(buf, '\0', len) != NULL || memchr(buf, '\x01', len) != NULL;
}

static sasl_interact_t *tb_find_prompt(sasl_interact_t **prompt_need,
                                       unsigned long id)
{
    sasl_interact_t *p;

    if (prompt_need == NULL || *prompt_need == NULL)
        return NULL;
    for (p = *prompt_need; p->id != SASL_CB_LIST_END; p++) {
        if (p->id == id)
            return p;
    }
    return NULL;
}

static const char *tb_mech_name(const tb_context_t *ctx)
{
    return ctx->kind == TB_OAUTHBEARER ? "OAUTHBEARER" : "XOAUTH2";
}

/*
 * Get the authentication name: from a filled-in prompt, else from the
 * SASL_CB_AUTHNAME callback.  Returns SASL_INTERACT if the application
 * wants to be prompted (callback listed without a procedure).
 */
static int tb_get_authname(const sasl_utils_t *utils,
                           sasl_interact_t **prompt_need,
                           const char **user, size_t *ulen)
{
    sasl_interact_t *prompt;
    sasl_getsimple_t *cb = NULL;
    void *cbctx = NULL;
    const char *res = NULL;
    unsigned len = 0;
    int r;

    *user = NULL;
    *ulen = 0;

    prompt = tb_find_prompt(prompt_need, SASL_CB_AUTHNAME);
    if (prompt != NULL) {
        if (prompt->result == NULL) {
            utils->seterror(utils->conn, 0,
                            "interaction did not supply the user name");
            return SASL_BADPARAM;
        }
        *user = prompt->result;
        /* as with the callback, an unset len (0) means a C string */
        *ulen = prompt->len != 0 ? prompt->len : strlen(prompt->result);
        return SASL_OK;
    }

    r = utils->getcallback(utils->conn, SASL_CB_AUTHNAME,
                           (sasl_callback_ft *)&cb, &cbctx);
    if (r == SASL_INTERACT || (r == SASL_OK && cb == NULL))
        return SASL_INTERACT;
    if (r != SASL_OK)
        return r;

    r = cb(cbctx, SASL_CB_AUTHNAME, &res, &len);
    if (r != SASL_OK)
        return r;
    if (res == NULL) {
        utils->seterror(utils->conn, 0,
                        "SASL_CB_AUTHNAME callback returned no user name");
        return SASL_BADPARAM;
    }
    *user = res;
    /* the callback may leave len unset (0): then the result is a C string */
    *ulen = len != 0 ? (size_t)len : strlen(res);
    return SASL_OK;
}

/*
 * Get the token: from a filled-in prompt, else from the SASL_CB_PASS
 * (getsecret) callback.  The returned pointer belongs to the application.
 */
static int tb_get_token(const sasl_utils_t *utils,
                        sasl_interact_t **prompt_need,
                        const char **token, size_t *tlen)
{
    sasl_interact_t *prompt;
    sasl_getsecret_t *cb = NULL;
    void *cbctx = NULL;
    sasl_secret_t *secret = NULL;
    int r;

    *token = NULL;
    *tlen = 0;

    prompt = tb_find_prompt(prompt_need, SASL_CB_PASS);
    if (prompt != NULL) {
        if (prompt->result == NULL) {
            utils->seterror(utils->conn, 0,
                            "interaction did not supply the token");
            return SASL_BADPARAM;
        }
        *token = prompt->result;
        /* as with the callback, an unset len (0) means a C string */
        *tlen = prompt->len != 0 ? prompt->len : strlen(prompt->result);
        return SASL_OK;
    }

    r = utils->getcallback(utils->conn, SASL_CB_PASS,
                           (sasl_callback_ft *)&cb, &cbctx);
    if (r == SASL_INTERACT || (r == SASL_OK && cb == NULL))
        return SASL_INTERACT;
    if (r != SASL_OK)
        return r;

    r = cb(utils->conn, cbctx, SASL_CB_PASS, &secret);
    if (r != SASL_OK)
        return r;
    if (secret == NULL) {
        utils->seterror(utils->conn, 0,
                        "SASL_CB_PASS callback returned no secret");
        return SASL_BADPARAM;
    }
    if (secret->len > TB_MAX_FIELD) {
        utils->seterror(utils->conn, 0, "token too long");
        return SASL_BADPARAM;
    }
    *token = (const char *)secret->data;
    *tlen = (size_t)secret->len;
    return SASL_OK;
}

/* Build the prompt array for the missing values. */
static int tb_make_prompts(tb_context_t *ctx, const sasl_utils_t *utils,
                           sasl_interact_t **prompt_need,
                           int need_user, int need_token)
{
    size_t n = (size_t)(need_user ? 1 : 0) + (size_t)(need_token ? 1 : 0) + 1;
    sasl_interact_t *p;
    size_t i = 0;

    if (prompt_need == NULL) {
        utils->seterror(utils->conn, 0,
                        "%s: user or token missing and the application "
                        "does not support interaction", tb_mech_name(ctx));
        return SASL_BADPARAM;
    }

    p = utils->malloc(n * sizeof(*p));
    if (p == NULL)
        return SASL_NOMEM;
    memset(p, 0, n * sizeof(*p));

    if (need_user) {
        p[i].id = SASL_CB_AUTHNAME;
        p[i].challenge = "Authentication Name";
        p[i].prompt = "Please enter your authentication name";
        i++;
    }
    if (need_token) {
        p[i].id = SASL_CB_PASS;
        p[i].challenge = "OAuth2 access token";
        p[i].prompt = "Please enter the OAuth2 access token";
        i++;
    }
    p[i].id = SASL_CB_LIST_END;

    ctx->prompts = p;
    *prompt_need = p;
    return SASL_INTERACT;
}

/* Release the prompt array we handed out, once the application returns it. */
static void tb_release_prompts(tb_context_t *ctx, const sasl_utils_t *utils,
                               sasl_interact_t **prompt_need)
{
    if (prompt_need != NULL && *prompt_need != NULL &&
        *prompt_need == ctx->prompts) {
        *prompt_need = NULL;
    }
    if (ctx->prompts != NULL) {
        utils->free(ctx->prompts);
        ctx->prompts = NULL;
    }
}

/*
 * Compose the initial response into ctx->out.
 *   XOAUTH2:     "user=" U 0x01 "auth=Bearer " T 0x01 0x01
 *   OAUTHBEARER: "n,a=" esc(U) "," 0x01 ["host=" H 0x01]
 *                "auth=Bearer " T 0x01 0x01
 */
static int tb_build_initial(tb_context_t *ctx, const sasl_utils_t *utils,
                            const char *user, size_t ulen,
                            const char *token, size_t tlen,
                            const char *host, size_t hlen)
{
    static const char x_user[] = "user=";
    static const char bearer[] = "auth=Bearer ";
    static const char ob_gs2[] = "n,a=";
    static const char ob_host[] = "host=";
    size_t total = 0, esclen = 0, i;
    char *buf, *w;

    if (ctx->kind == TB_XOAUTH2) {
        if (!tb_add(&total, sizeof(x_user) - 1, ulen) ||
            !tb_add(&total, total, 1) ||
            !tb_add(&total, total, sizeof(bearer) - 1) ||
            !tb_add(&total, total, tlen) ||
            !tb_add(&total, total, 2))
            return SASL_BADPARAM;
    } else {
        for (i = 0; i < ulen; i++) {
            size_t add = (user[i] == ',' || user[i] == '=') ? 3 : 1;
            if (!tb_add(&esclen, esclen, add))
                return SASL_BADPARAM;
        }
        if (!tb_add(&total, sizeof(ob_gs2) - 1, esclen) ||
            !tb_add(&total, total, 2) /* "," 0x01 */)
            return SASL_BADPARAM;
        if (host != NULL &&
            (!tb_add(&total, total, sizeof(ob_host) - 1) ||
             !tb_add(&total, total, hlen) ||
             !tb_add(&total, total, 1)))
            return SASL_BADPARAM;
        if (!tb_add(&total, total, sizeof(bearer) - 1) ||
            !tb_add(&total, total, tlen) ||
            !tb_add(&total, total, 2))
            return SASL_BADPARAM;
    }

    /* the result is returned as an unsigned length; +1 for a NUL */
    if (total >= UINT_MAX)
        return SASL_BADPARAM;

    buf = utils->malloc(total + 1);
    if (buf == NULL)
        return SASL_NOMEM;
    w = buf;

#define TB_PUT(src, n) do { memcpy(w, (src), (n)); w += (n); } while (0)
    if (ctx->kind == TB_XOAUTH2) {
        TB_PUT(x_user, sizeof(x_user) - 1);
        TB_PUT(user, ulen);
        *w++ = '\x01';
    } else {
        TB_PUT(ob_gs2, sizeof(ob_gs2) - 1);
        for (i = 0; i < ulen; i++) {
            if (user[i] == ',') {
                TB_PUT("=2C", 3);
            } else if (user[i] == '=') {
                TB_PUT("=3D", 3);
            } else {
                *w++ = user[i];
            }
        }
        *w++ = ',';
        *w++ = '\x01';
        if (host != NULL) {
            TB_PUT(ob_host, sizeof(ob_host) - 1);
            TB_PUT(host, hlen);
            *w++ = '\x01';
        }
    }
    TB_PUT(bearer, sizeof(bearer) - 1);
    TB_PUT(token, tlen);
    *w++ = '\x01';
    *w++ = '\x01';
#undef TB_PUT
    *w = '\0';

    if ((size_t)(w - buf) != total) {
        /* cannot happen; fail closed */
        tb_wipe(buf, total + 1);
        utils->free(buf);
        return SASL_FAIL;
    }

    tb_free_out(ctx, utils);
    ctx->out = buf;
    ctx->outlen = total + 1; /* wipe length includes the NUL */
    return SASL_OK;
}

/* ------------------------------------------------------------------ */
/* mechanism entry points                                              */

static int tb_mech_new(void *glob_context, sasl_client_params_t *params,
                       void **conn_context)
{
    tb_context_t *ctx;

    if (glob_context == NULL || params == NULL || conn_context == NULL)
        return SASL_BADPARAM;

    ctx = params->utils->malloc(sizeof(*ctx));
    if (ctx == NULL)
        return SASL_NOMEM;
    memset(ctx, 0, sizeof(*ctx));
    ctx->kind = *(const int *)glob_context;
    ctx->state = TB_STATE_INITIAL;
    *conn_context = ctx;
    return SASL_OK;
}

static int tb_step_initial(tb_context_t *ctx, sasl_client_params_t *params,
                           sasl_interact_t **prompt_need,
                           const char **clientout, unsigned *clientoutlen,
                           sasl_out_params_t *oparams)
{
    const sasl_utils_t *utils = params->utils;
    const char *user = NULL, *token = NULL, *host = NULL;
    size_t ulen = 0, tlen = 0, hlen = 0;
    int ur, tr, r;

    ur = tb_get_authname(utils, prompt_need, &user, &ulen);
    if (ur != SASL_OK && ur != SASL_INTERACT)
        goto out_release;
    tr = tb_get_token(utils, prompt_need, &token, &tlen);
    if (tr != SASL_OK && tr != SASL_INTERACT) {
        ur = tr;
        goto out_release;
    }

    if (ur == SASL_INTERACT || tr == SASL_INTERACT) {
        /* values from the previous prompts (if any) are not kept */
        tb_release_prompts(ctx, utils, prompt_need);
        return tb_make_prompts(ctx, utils, prompt_need,
                               ur == SASL_INTERACT, tr == SASL_INTERACT);
    }

    if (ulen == 0 || ulen > TB_MAX_FIELD || tb_has_bad_byte(user, ulen)) {
        utils->seterror(utils->conn, 0,
                        "%s: user name is empty, too long or contains "
                        "a NUL or 0x01 byte", tb_mech_name(ctx));
        r = SASL_BADPARAM;
        goto out_release_r;
    }
    if (tlen == 0 || tlen > TB_MAX_FIELD || tb_has_bad_byte(token, tlen)) {
        /* never include the token in the message */
        utils->seterror(utils->conn, 0,
                        "%s: token is empty, too long or contains "
                        "a NUL or 0x01 byte", tb_mech_name(ctx));
        r = SASL_BADPARAM;
        goto out_release_r;
    }

    if (ctx->kind == TB_OAUTHBEARER && params->serverFQDN != NULL &&
        params->serverFQDN[0] != '\0') {
        host = params->serverFQDN;
        hlen = strlen(host);
        if (hlen > TB_MAX_FIELD || tb_has_bad_byte(host, hlen)) {
            utils->seterror(utils->conn, 0,
                            "OAUTHBEARER: server name is too long or "
                            "contains a 0x01 byte");
            r = SASL_BADPARAM;
            goto out_release_r;
        }
    }

    /* XOAUTH2/OAUTHBEARER have no separate authzid: both are the user */
    r = params->canon_user(utils->conn, user, (unsigned)ulen,
                           SASL_CU_AUTHID | SASL_CU_AUTHZID, oparams);
    if (r != SASL_OK)
        goto out_release_r;

    r = tb_build_initial(ctx, utils, user, ulen, token, tlen, host, hlen);
    if (r != SASL_OK) {
        if (r == SASL_BADPARAM)
            utils->seterror(utils->conn, 0, "%s: response too long",
                            tb_mech_name(ctx));
        goto out_release_r;
    }

    /* values taken from prompts are no longer referenced */
    tb_release_prompts(ctx, utils, prompt_need);

    oparams->doneflag = 0;
    oparams->mech_ssf = 0;
    oparams->maxoutbuf = 0;
    oparams->encode_context = NULL;
    oparams->encode = NULL;
    oparams->decode_context = NULL;
    oparams->decode = NULL;
    oparams->param_version = 0;

    *clientout = ctx->out;
    *clientoutlen = (unsigned)(ctx->outlen - 1);
    ctx->state = TB_STATE_SENT;
    return SASL_CONTINUE;

out_release_r:
    ur = r;
out_release:
    tb_release_prompts(ctx, utils, prompt_need);
    return ur;
}

static int tb_mech_step(void *conn_context, sasl_client_params_t *params,
                        const char *serverin, unsigned serverinlen,
                        sasl_interact_t **prompt_need,
                        const char **clientout, unsigned *clientoutlen,
                        sasl_out_params_t *oparams)
{
    tb_context_t *ctx = conn_context;
    const sasl_utils_t *utils;

    if (ctx == NULL || params == NULL || clientout == NULL ||
        clientoutlen == NULL || oparams == NULL ||
        (serverin == NULL && serverinlen != 0))
        return SASL_BADPARAM;
    utils = params->utils;

    *clientout = NULL;
    *clientoutlen = 0;

    switch (ctx->state) {
    case TB_STATE_INITIAL:
        /* client first (no data) or an empty server challenge first */
        if (serverinlen != 0) {
            utils->seterror(utils->conn, 0,
                            "%s: unexpected server challenge before the "
                            "initial response", tb_mech_name(ctx));
            return SASL_BADPROT;
        }
        return tb_step_initial(ctx, params, prompt_need, clientout,
                               clientoutlen, oparams);

    case TB_STATE_SENT:
        /* the initial response is no longer needed: wipe the token */
        tb_free_out(ctx, utils);
        if (serverinlen == 0) {
            /* server accepted; application finishes with an empty step */
            ctx->state = TB_STATE_DONE;
            oparams->doneflag = 1;
            return SASL_OK;
        }
        /* server error (JSON); acknowledge so the server can fail */
        ctx->state = TB_STATE_ERROR_ACK;
        if (ctx->kind == TB_OAUTHBEARER) {
            *clientout = "\x01";
            *clientoutlen = 1;
        } else {
            *clientout = "";
            *clientoutlen = 0;
        }
        return SASL_CONTINUE;

    default:
        utils->seterror(utils->conn, 0,
                        "%s: unexpected step after the exchange ended",
                        tb_mech_name(ctx));
        return SASL_BADPROT;
    }
}

static void tb_mech_dispose(void *conn_context, const sasl_utils_t *utils)
{
    tb_context_t *ctx = conn_context;

    if (ctx == NULL || utils == NULL)
        return;
    tb_free_out(ctx, utils);
    if (ctx->prompts != NULL) {
        utils->free(ctx->prompts);
        ctx->prompts = NULL;
    }
    tb_wipe(ctx, sizeof(*ctx));
    utils->free(ctx);
}

static sasl_client_plug_t tb_client_plugins[] = {
    {
        "XOAUTH2",                      /* mech_name */
        0,                              /* max_ssf */
        SASL_SEC_NOANONYMOUS | SASL_SEC_PASS_CREDENTIALS, /* security_flags */
        SASL_FEAT_WANT_CLIENT_FIRST,    /* features */
        tb_required_prompts,            /* required_prompts */
        (void *)&tb_kind_xoauth2,       /* glob_context */
        &tb_mech_new,                   /* mech_new */
        &tb_mech_step,                  /* mech_step */
        &tb_mech_dispose,               /* mech_dispose */
        NULL,                           /* mech_free */
        NULL,                           /* idle */
        NULL,                           /* spare */
        NULL                            /* spare */
    },
    {
        "OAUTHBEARER",
        0,
        SASL_SEC_NOANONYMOUS | SASL_SEC_PASS_CREDENTIALS,
        SASL_FEAT_WANT_CLIENT_FIRST,
        tb_required_prompts,
        (void *)&tb_kind_oauthbearer,
        &tb_mech_new,
        &tb_mech_step,
        &tb_mech_dispose,
        NULL,
        NULL,
        NULL,
        NULL
    }
};

TB_EXPORT int sasl_client_plug_init(const sasl_utils_t *utils,
                                    int maxversion, int *out_version,
                                    sasl_client_plug_t **pluglist,
                                    int *plugcount);

TB_EXPORT int sasl_client_plug_init(const sasl_utils_t *utils,
                                    int maxversion, int *out_version,
                                    sasl_client_plug_t **pluglist,
                                    int *plugcount)
{
    if (out_version == NULL || pluglist == NULL || plugcount == NULL)
        return SASL_BADPARAM;
    if (maxversion < SASL_CLIENT_PLUG_VERSION) {
        if (utils != NULL)
            utils->seterror(utils->conn, 0,
                            "tokenbroker-oauth2: SASL client plugin "
                            "version mismatch");
        return SASL_BADVERS;
    }
    *out_version = SASL_CLIENT_PLUG_VERSION;
    *pluglist = tb_client_plugins;
    *plugcount = (int)(sizeof(tb_client_plugins) / sizeof(tb_client_plugins[0]));
    return SASL_OK;
}
