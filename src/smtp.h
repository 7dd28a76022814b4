/* smtp.h - handing messages to an SMTP server, through libcurl.
 *
 * smtp://HOST[:PORT] must offer STARTTLS and the connection is encrypted
 * before anything is sent (libcurl's CURLUSESSL_ALL), except to a loopback
 * address (127.0.0.0/8, ::1), where no one can listen in; smtps:// is TLS
 * from the start.  The server's certificate is checked.  A user name and
 * password come only from a netrc file (~/.netrc, or the one given), never
 * from the URL, so they never show in a process list or a shell history.
 */
#ifndef SS_SMTP_H
#define SS_SMTP_H

#include <stddef.h>

/* How long to wait for a connection, and for a stalled server (no byte
 * moving) before giving up: a server that does not answer in a minute is
 * not going to, and the message is then tried again on the next run. */
#define SS_SMTP_CONNECT_SECONDS 30
#define SS_SMTP_STALL_SECONDS 60
/* The server's reply kept for the send log and messages. */
#define SS_SMTP_REPLY_MAX 200

typedef struct ss_smtp ss_smtp;

/* Checks the URL (scheme, no credentials in it, a host) and prepares the
 * connection (made on the first send).  NULL, with what is wrong in err,
 * when the URL is not one to send to. */
ss_smtp *ss_smtp_new(const char *url, const char *netrc_path, char *err, size_t errlen);
void ss_smtp_free(ss_smtp *s);

/* Sends one message (data, len: RFC 5322 bytes with CRLF) from the
 * envelope sender 'from' to exactly the n addresses in rcpt, as one
 * transaction.  Returns 0 when the server accepted it, SS_EXIT_TEMPFAIL
 * (75) for a temporary failure (a 4xx reply, no connection, a dropped
 * one), SS_EXIT_UNAVAILABLE (69) for a refusal (a 5xx reply, no STARTTLS,
 * a certificate that does not check).  The server's last reply line (or
 * what went wrong) goes to reply. */
int ss_smtp_send(ss_smtp *s, const char *from, const char *const *rcpt, size_t n,
                 const char *data, size_t len, char reply[SS_SMTP_REPLY_MAX]);

#endif
