/* SPDX-License-Identifier: GPL-2.0-only */
/* Open-addressing hash map from a key (string or 64-bit integer) to a
 * pointer. Lookups are O(1) so that correlating symbols and sections is
 * linear in their number. Keys are borrowed: the caller keeps them alive
 * for the life of the map. Several values may share a key: hashmap_add()
 * appends, hashmap_get() returns the first added, hashmap_next() the others. */
#ifndef LIVEFIX_HASHMAP_H
#define LIVEFIX_HASHMAP_H

#include <stddef.h>
#include <stdint.h>

struct hashmap_slot {
	const char *str_key; /* borrowed; NULL for integer keys */
	uint64_t int_key;
	uint64_t hash;
	void *value;
	int used;
};

struct hashmap {
	struct hashmap_slot *slots;
	size_t nr_slots; /* power of two */
	size_t nr_used;
};

void hashmap_init(struct hashmap *map);
void hashmap_release(struct hashmap *map); /* frees slots, not values */

void hashmap_add_str(struct hashmap *map, const char *key, void *value);
void *hashmap_get_str(const struct hashmap *map, const char *key);
void hashmap_add_int(struct hashmap *map, uint64_t key, void *value);
void *hashmap_get_int(const struct hashmap *map, uint64_t key);

/* Iterate over every value stored under one string key:
 *   for (v = hashmap_first_str(m, k, &it); v; v = hashmap_next_str(m, k, &it))
 */
void *hashmap_first_str(const struct hashmap *map, const char *key, size_t *iter);
void *hashmap_next_str(const struct hashmap *map, const char *key, size_t *iter);

/* Number of values stored under a string key. */
size_t hashmap_count_str(const struct hashmap *map, const char *key);

/* The string keys of a map, one per value, sorted (strcmp) into a new
 * array (free it; the keys stay borrowed); *nr gets their number. */
const char **hashmap_str_keys(const struct hashmap *map, size_t *nr);

#endif
