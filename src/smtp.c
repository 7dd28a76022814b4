/* smtp.c - SMTP through libcurl (see smtp.h).
 *
 * libcurl is opened with dlopen (workbook_dl.h) when a run sends, not
 * linked: it brings 32 shared libraries (OpenSSL, Kerberos, LDAP, SSH, ...)
 * that every run would otherwise load and relocate, about 4 ms of CPU a
 * process (7 % of a 56-sheet batch), for the one command that uses them. */
#include "smtp.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "mail.h"
#include "util.h"
#include "version.h"
#include "workbook_dl.h"

/* The libcurl functions this file calls, opened when a run sends. */
#define CURL_FUNCTIONS(F)                                                                    \
    F(curl_, global_init) F(curl_, global_cleanup) F(curl_, easy_init) F(curl_, easy_cleanup) \
    F(curl_, easy_reset) F(curl_, easy_setopt) F(curl_, easy_perform) F(curl_, easy_getinfo)  \
    F(curl_, easy_strerror) F(curl_, slist_append) F(curl_, slist_free_all) F(curl_, free)    \
    F(curl_, url) F(curl_, url_cleanup) F(curl_, url_set) F(curl_, url_get)
static struct {
    CURL_FUNCTIONS(SS_DL_FIELD)
} libcurl;
static const char *const libcurl_names[] = {CURL_FUNCTIONS(SS_DL_NAME)};
static const ss_dl_library LIBCURL = {SS_LIBCURL_SONAME, SS_LIBCURL_PACKAGE, libcurl_names,
                                      sizeof libcurl_names / sizeof *libcurl_names};

struct ss_smtp {
    CURL *curl;
    char *url;
    char *netrc;
    bool loopback;
    char last_reply[SS_SMTP_REPLY_MAX];
    char refusal[SS_SMTP_REPLY_MAX]; /* the last 4xx or 5xx reply */
};

typedef struct upload {
    const char *data;
    size_t len, at;
} upload;

static size_t read_cb(char *buf, size_t size, size_t nitems, void *ctx)
{
    upload *u = ctx;
    size_t room = size * nitems, left = u->len - u->at;
    size_t n = left < room ? left : room;
    memcpy(buf, u->data + u->at, n);
    u->at += n;
    return n;
}

/* Keeps the server's last reply line (libcurl hands replies to the debug
 * function only). */
static int debug_cb(CURL *handle, curl_infotype type, char *data, size_t size, void *ctx)
{
    (void)handle;
    ss_smtp *s = ctx;
    if (type != CURLINFO_HEADER_IN)
        return 0;
    while (size && (data[size - 1] == '\n' || data[size - 1] == '\r'))
        size--;
    const char *line = data;
    for (size_t i = 0; i < size; i++)
        if (data[i] == '\n')
            line = data + i + 1;
    size_t n = size - (size_t)(line - data);
    if (n >= sizeof s->last_reply)
        n = sizeof s->last_reply - 1;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)line[i] >= 0x20 && line[i] != 0x7f)
            s->last_reply[k++] = line[i];
    s->last_reply[k] = '\0';
    if (s->last_reply[0] == '4' || s->last_reply[0] == '5')
        memcpy(s->refusal, s->last_reply, k + 1);
    return 0;
}

/* 127.0.0.0/8 and ::1 by number: a name could be made to point elsewhere. */
static bool is_loopback(const char *host)
{
    char h[64];
    size_t n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof h) {
        memcpy(h, host + 1, n - 2);
        h[n - 2] = '\0';
    } else if (n < sizeof h) {
        memcpy(h, host, n + 1);
    } else {
        return false;
    }
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, h, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, h, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6);
    return false;
}

ss_smtp *ss_smtp_new(const char *url, const char *netrc_path, char *err, size_t errlen)
{
    ss_smtp *s = NULL;
    char *scheme = NULL, *host = NULL, *user = NULL, *pass = NULL;
    CURLU *u = NULL;
    if (!ss_dl_open(&LIBCURL, &libcurl)) {
        ss_dl_missing(&LIBCURL, "--send", err, errlen);
        size_t n = strlen(err);
        snprintf(err + n, errlen - n, ", or leave out --send to write drafts");
        return NULL;
    }
    u = libcurl.url();
    if (!u || libcurl.url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        libcurl.url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        (strcmp(scheme, "smtp") && strcmp(scheme, "smtps")) ||
        libcurl.url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        snprintf(err, errlen, "--send '%.100s': write smtp://HOST:PORT (STARTTLS) or "
                 "smtps://HOST:PORT (TLS), e.g. --send smtp://mail.example.org:587", url);
        goto done;
    }
    if (libcurl.url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
        libcurl.url_get(u, CURLUPART_PASSWORD, &pass, 0) == CURLUE_OK) {
        snprintf(err, errlen, "--send: the URL holds a user name or password; remove it "
                 "and put them in ~/.netrc (machine HOST login USER password PASS) or the "
                 "file given with --netrc-file, so they never show on a command line");
        goto done;
    }
    if (netrc_path && access(netrc_path, R_OK) != 0) {
        snprintf(err, errlen, "--netrc-file '%.200s': cannot read it", netrc_path);
        goto done;
    }
    if (libcurl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(err, errlen, "cannot start libcurl");
        goto done;
    }
    s = ss_xcalloc(1, sizeof *s);
    s->curl = libcurl.easy_init();
    if (!s->curl) {
        snprintf(err, errlen, "cannot start libcurl");
        libcurl.global_cleanup();
        free(s);
        s = NULL;
        goto done;
    }
    s->url = ss_xstrdup(url);
    s->netrc = netrc_path ? ss_xstrdup(netrc_path) : NULL;
    s->loopback = is_loopback(host);
done:
    libcurl.free(scheme), libcurl.free(host), libcurl.free(user), libcurl.free(pass);
    libcurl.url_cleanup(u);
    return s;
}

void ss_smtp_free(ss_smtp *s)
{
    if (!s)
        return;
    libcurl.easy_cleanup(s->curl);
    libcurl.global_cleanup();
    free(s->url);
    free(s->netrc);
    free(s);
}

/* A failure that a later try may get past: no connection, a dropped one,
 * a server that stopped answering. */
static bool transient(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
        return true;
    default:
        return false;
    }
}

int ss_smtp_send(ss_smtp *s, const char *from, const char *const *rcpt, size_t n,
                 const char *data, size_t len, char reply[SS_SMTP_REPLY_MAX])
{
    CURL *c = s->curl;
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *list = NULL;
    for (size_t i = 0; i < n; i++) {
        char *r = ss_xasprintf("<%s>", rcpt[i]);
        list = libcurl.slist_append(list, r);
        free(r);
    }
    char *env_from = ss_xasprintf("<%s>", from);
    upload up = {data, len, 0};
    s->last_reply[0] = '\0';
    s->refusal[0] = '\0';
    libcurl.easy_reset(c);
    libcurl.easy_setopt(c, CURLOPT_URL, s->url);
    libcurl.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    libcurl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    libcurl.easy_setopt(c, CURLOPT_USE_SSL, s->loopback ? (long)CURLUSESSL_NONE
                                                     : (long)CURLUSESSL_ALL);
    libcurl.easy_setopt(c, CURLOPT_NETRC, (long)CURL_NETRC_OPTIONAL);
    if (s->netrc)
        libcurl.easy_setopt(c, CURLOPT_NETRC_FILE, s->netrc);
    libcurl.easy_setopt(c, CURLOPT_MAIL_FROM, env_from);
    libcurl.easy_setopt(c, CURLOPT_MAIL_RCPT, list);
    libcurl.easy_setopt(c, CURLOPT_UPLOAD, 1L);
    libcurl.easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    libcurl.easy_setopt(c, CURLOPT_READDATA, &up);
    libcurl.easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    libcurl.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)SS_SMTP_CONNECT_SECONDS);
    libcurl.easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    libcurl.easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)SS_SMTP_STALL_SECONDS);
    libcurl.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    libcurl.easy_setopt(c, CURLOPT_DEBUGFUNCTION, debug_cb);
    libcurl.easy_setopt(c, CURLOPT_DEBUGDATA, s);
    libcurl.easy_setopt(c, CURLOPT_VERBOSE, 1L);
    CURLcode rc = libcurl.easy_perform(c);
    long code = 0;
    libcurl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    /* The server's refusal decides (libcurl reports a refused DATA as a
     * "weird reply", a refused RCPT as a send error, and may have said
     * something after it); without one, what happened to the connection. */
    if (rc != CURLE_OK && s->refusal[0]) {
        code = (s->refusal[0] - '0') * 100;
        snprintf(s->last_reply, sizeof s->last_reply, "%s", s->refusal);
    } else if (code < 400) {
        code = 0;
    }
    int status;
    if (rc == CURLE_OK) {
        status = 0;
        snprintf(reply, SS_SMTP_REPLY_MAX, "%s", s->last_reply);
    } else if (code >= 400 && code < 600) {
        status = code < 500 ? SS_EXIT_TEMPFAIL : SS_EXIT_UNAVAILABLE;
        snprintf(reply, SS_SMTP_REPLY_MAX, "%s: %.150s", code < 500 ? "the server said to "
                 "try later" : "the server refused it", s->last_reply);
    } else if (rc == CURLE_USE_SSL_FAILED) {
        status = SS_EXIT_UNAVAILABLE;
        snprintf(reply, SS_SMTP_REPLY_MAX, "the server does not offer STARTTLS; "
                 "statesheet sends only over an encrypted connection");
    } else if (transient(rc)) {
        status = SS_EXIT_TEMPFAIL;
        snprintf(reply, SS_SMTP_REPLY_MAX, "the connection to the server failed: %s",
                 errbuf[0] ? errbuf : libcurl.easy_strerror(rc));
    } else {
        status = SS_EXIT_UNAVAILABLE;
        snprintf(reply, SS_SMTP_REPLY_MAX, "%s", errbuf[0] ? errbuf : libcurl.easy_strerror(rc));
    }
    /* The options point at this call's strings: drop them before they go. */
    libcurl.easy_setopt(c, CURLOPT_MAIL_RCPT, NULL);
    libcurl.easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
    libcurl.slist_free_all(list);
    free(env_from);
    return status;
}
