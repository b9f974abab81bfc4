/* SPDX-License-Identifier: GPL-2.0-only */
/* Sending a report to a livefix console (livefix report): an HTTP POST
 * of a JSON body with the host's token as a bearer token. http:// is
 * spoken over a socket here; https:// is handed to curl(1), with the
 * token and body in private temporary files (never on a command line),
 * so livefix links no TLS library. */
#ifndef LIVEFIX_CLI_REPORT_SEND_H
#define LIVEFIX_CLI_REPORT_SEND_H

#include <stddef.h>

struct report_reply {
	int status;   /* the HTTP status, 0 when none came */
	char *body;   /* malloc'ed: the response body (at most 64 KiB), or NULL */
};

/* POSTs body to url (the console's base URL + "/api/v1/reports").
 * 0 with reply->status set, or -errno (the reason logged) when no reply
 * came: a bad URL (-EINVAL), no connection, a timeout. */
int report_send(const char *base_url, const char *token, const char *body,
		size_t len, int timeout_seconds, struct report_reply *reply);

#endif
