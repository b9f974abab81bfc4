// SPDX-License-Identifier: GPL-2.0-only
#include "console/throttle.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define SLOTS 256

struct slot {
	char client[48];       /* "" when free */
	long long window_start;
	int failures;
};

static struct slot slots[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* client's slot, or NULL; with create, a new one in a free slot, else in
 * the one whose window started first. Slots whose window is over are
 * freed on the way. */
static struct slot *find(const char *client, long long now, int create)
{
	struct slot *victim = NULL;
	int i;

	for (i = 0; i < SLOTS; i++) {
		struct slot *s = &slots[i];

		if (s->client[0] && now - s->window_start >= THROTTLE_WINDOW)
			s->client[0] = '\0';
		if (s->client[0] && !strcmp(s->client, client))
			return s;
		if (!victim || (victim->client[0] &&
				(!s->client[0] || s->window_start < victim->window_start)))
			victim = s;
	}
	if (!create)
		return NULL;
	snprintf(victim->client, sizeof(victim->client), "%s", client);
	victim->window_start = now;
	victim->failures = 0;
	return victim;
}

long long throttle_wait(const char *client, long long now)
{
	struct slot *s;
	long long wait = 0;

	pthread_mutex_lock(&lock);
	s = find(client, now, 0);
	if (s && s->failures >= THROTTLE_FAILURES)
		wait = s->window_start + THROTTLE_WINDOW - now;
	pthread_mutex_unlock(&lock);
	return wait;
}

void throttle_failed(const char *client, long long now)
{
	pthread_mutex_lock(&lock);
	find(client, now, 1)->failures++;
	pthread_mutex_unlock(&lock);
}

void throttle_clear(const char *client)
{
	struct slot *s;

	pthread_mutex_lock(&lock);
	s = find(client, 0, 0); /* now 0: expires nothing */
	if (s)
		s->client[0] = '\0';
	pthread_mutex_unlock(&lock);
}
