// SPDX-License-Identifier: GPL-2.0-only
#include "hashmap.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h | 1; /* never zero */
}

static uint64_t hash_int(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return k | 1;
}

void hashmap_init(struct hashmap *map)
{
	memset(map, 0, sizeof(*map));
}

static int cmp_str_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **hashmap_str_keys(const struct hashmap *map, size_t *nr)
{
	const char **keys = xcalloc(map->nr_used + 1, sizeof(*keys));

	*nr = 0;
	for (size_t i = 0; i < map->nr_slots; i++)
		if (map->slots[i].used && map->slots[i].str_key)
			keys[(*nr)++] = map->slots[i].str_key;
	qsort(keys, *nr, sizeof(*keys), cmp_str_ptr);
	return keys;
}

void hashmap_release(struct hashmap *map)
{
	free(map->slots);
	hashmap_init(map);
}

static void insert_slot(struct hashmap *map, const struct hashmap_slot *src)
{
	size_t mask = map->nr_slots - 1, i = src->hash & mask;

	while (map->slots[i].used)
		i = (i + 1) & mask;
	map->slots[i] = *src;
	map->nr_used++;
}

static void grow(struct hashmap *map)
{
	struct hashmap_slot *old = map->slots;
	size_t i, old_nr = map->nr_slots;

	if ((map->nr_used + 1) * 4 < map->nr_slots * 3)
		return;
	map->nr_slots = old_nr ? old_nr * 2 : 64;
	map->slots = xcalloc(map->nr_slots, sizeof(*map->slots));
	map->nr_used = 0;
	for (i = 0; i < old_nr; i++)
		if (old[i].used)
			insert_slot(map, &old[i]);
	free(old);
}

void hashmap_add_str(struct hashmap *map, const char *key, void *value)
{
	struct hashmap_slot s = { key, 0, hash_str(key), value, 1 };

	grow(map);
	insert_slot(map, &s);
}

void hashmap_add_int(struct hashmap *map, uint64_t key, void *value)
{
	struct hashmap_slot s = { NULL, key, hash_int(key), value, 1 };

	grow(map);
	insert_slot(map, &s);
}

/* Linear probing keeps equal keys in insertion order along the probe path. */
static void *scan_str(const struct hashmap *map, const char *key, size_t *iter)
{
	size_t mask = map->nr_slots - 1;
	uint64_t h = hash_str(key);

	for (; map->slots[*iter & mask].used; (*iter)++) {
		const struct hashmap_slot *s = &map->slots[*iter & mask];

		if (s->hash == h && s->str_key && !strcmp(s->str_key, key))
			return s->value;
	}
	return NULL;
}

void *hashmap_first_str(const struct hashmap *map, const char *key, size_t *iter)
{
	if (!map->nr_slots)
		return NULL;
	*iter = hash_str(key) & (map->nr_slots - 1);
	return scan_str(map, key, iter);
}

void *hashmap_next_str(const struct hashmap *map, const char *key, size_t *iter)
{
	(*iter)++;
	return scan_str(map, key, iter);
}

void *hashmap_get_str(const struct hashmap *map, const char *key)
{
	size_t it;

	return hashmap_first_str(map, key, &it);
}

size_t hashmap_count_str(const struct hashmap *map, const char *key)
{
	size_t it, n = 0;
	void *v;

	for (v = hashmap_first_str(map, key, &it); v; v = hashmap_next_str(map, key, &it))
		n++;
	return n;
}

void *hashmap_get_int(const struct hashmap *map, uint64_t key)
{
	size_t mask = map->nr_slots - 1, i;
	uint64_t h = hash_int(key);

	if (!map->nr_slots)
		return NULL;
	for (i = h & mask; map->slots[i].used; i = (i + 1) & mask) {
		const struct hashmap_slot *s = &map->slots[i];

		if (s->hash == h && !s->str_key && s->int_key == key)
			return s->value;
	}
	return NULL;
}
