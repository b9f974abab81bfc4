/* SPDX-License-Identifier: GPL-2.0-only */
/* Failed logins per client address: after THROTTLE_FAILURES failures
 * within THROTTLE_WINDOW seconds, that address's logins are refused (429)
 * until the window ends, so passwords cannot be guessed at the server's
 * speed. A fixed table shared by the server threads; a full table forgets
 * its oldest entry. */
#ifndef LIVEFIX_CONSOLE_THROTTLE_H
#define LIVEFIX_CONSOLE_THROTTLE_H

#define THROTTLE_FAILURES 5
#define THROTTLE_WINDOW 60

/* Seconds client must wait before its next login, 0 when it may try. */
long long throttle_wait(const char *client, long long now);
/* Counts a failed login of client at now. */
void throttle_failed(const char *client, long long now);
/* A successful login clears client's failures. */
void throttle_clear(const char *client);

#endif
