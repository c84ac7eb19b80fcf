/*
 * Attribute decoding for the devicetree loader: the `capability` strings of
 * the original binding, the zephyr,memory-attr bitmask and its older string
 * forms, each mapped to a shared_multi_heap attribute with its source named.
 */
#include "dt_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define EDIT_MAX             64u
#define SUGGEST_MAX_DISTANCE 3u

int dt_is_string(const char *value, int len)
{
	return value != NULL && len > 0 && value[len - 1] == '\0' &&
	       memchr(value, '\0', (size_t)len) == value + len - 1;
}

size_t dt_edit_distance(const char *a, size_t a_len, const char *b, size_t b_len)
{
	size_t row[EDIT_MAX + 1];

	a_len = a_len > EDIT_MAX ? EDIT_MAX : a_len;
	b_len = b_len > EDIT_MAX ? EDIT_MAX : b_len;
	for (size_t j = 0; j <= b_len; j++) {
		row[j] = j;
	}
	for (size_t i = 1; i <= a_len; i++) {
		size_t diagonal = row[0];

		row[0] = i;
		for (size_t j = 1; j <= b_len; j++) {
			size_t above = row[j];
			size_t best = diagonal + (a[i - 1] == b[j - 1] ? 0u : 1u);

			if (above + 1u < best) {
				best = above + 1u;
			}
			if (row[j - 1] + 1u < best) {
				best = row[j - 1] + 1u;
			}
			diagonal = above;
			row[j] = best;
		}
	}
	return row[b_len];
}

/* The candidate nearest to @value, if near enough to be a typo; else NULL. */
static const char *nearest(const char *value, size_t len, const char *const *candidates,
			   size_t count)
{
	const char *best = NULL;
	size_t best_distance = SUGGEST_MAX_DISTANCE + 1u;

	for (size_t i = 0; i < count; i++) {
		size_t candidate_len = strlen(candidates[i]);
		size_t d = dt_edit_distance(value, len, candidates[i], candidate_len);

		/* A distance as long as the word itself is a different word, not a typo. */
		if (d < best_distance && d < candidate_len) {
			best_distance = d;
			best = candidates[i];
		}
	}
	return best;
}

static void explain_unknown(const char *property, const char *value, size_t len,
			    const char *const *candidates, size_t count, const char *expected,
			    char *why, size_t why_size)
{
	char shown[80];
	const char *suggestion = nearest(value, len, candidates, count);

	smh_diag_printable(shown, sizeof(shown), value, len);
	if (suggestion != NULL) {
		snprintf(why, why_size, "%s \"%s\" is unknown; did you mean \"%s\"? (expected %s)",
			 property, shown, suggestion, expected);
	} else {
		snprintf(why, why_size, "%s \"%s\" is unknown; expected %s", property, shown,
			 expected);
	}
}

enum dt_attr_outcome dt_attr_from_capability(const char *value, int len,
					     enum shared_multi_heap_attr *attr, char *why,
					     size_t why_size)
{
	static const char *const names[] = {"cacheable", "non-cacheable", "external"};
	static const enum shared_multi_heap_attr attrs[] = {
		SMH_REG_ATTR_CACHEABLE, SMH_REG_ATTR_NON_CACHEABLE, SMH_REG_ATTR_EXTERNAL};
	static const char expected[] = "\"cacheable\", \"non-cacheable\" or \"external\"";

	if (value == NULL) {
		snprintf(why, why_size, "has no capability property; add capability = %s",
			 expected);
		return DT_ATTR_INVALID;
	}
	if (!dt_is_string(value, len)) {
		snprintf(why, why_size, "capability is not one string; set it to one of %s",
			 expected);
		return DT_ATTR_INVALID;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(value, names[i]) == 0) {
			*attr = attrs[i];
			return DT_ATTR_POOL;
		}
	}
	explain_unknown("capability", value, (size_t)len - 1u, names,
			sizeof(names) / sizeof(names[0]), expected, why, why_size);
	return DT_ATTR_INVALID;
}

/* One rule step: a pair of bits of which at most one may be set. */
static enum dt_attr_outcome decide_pair(uint32_t bits, uint32_t cache_bit, uint32_t nocache_bit,
					const char *cache_source, const char *nocache_source,
					enum shared_multi_heap_attr *attr, const char **source,
					char *why, size_t why_size)
{
	int cache = (bits & cache_bit) != 0;
	int nocache = (bits & nocache_bit) != 0;

	if (cache && nocache) {
		snprintf(why, why_size,
			 "zephyr,memory-attr 0x%08" PRIx32 " sets both %s and %s; keep one of them",
			 bits, cache_source + strlen("zephyr,memory-attr "),
			 nocache_source + strlen("zephyr,memory-attr "));
		return DT_ATTR_INVALID;
	}
	if (cache || nocache) {
		*attr = cache ? SMH_REG_ATTR_CACHEABLE : SMH_REG_ATTR_NON_CACHEABLE;
		*source = cache ? cache_source : nocache_source;
		return DT_ATTR_POOL;
	}
	return DT_ATTR_NOT_POOL;
}

enum dt_attr_outcome dt_attr_from_memory_attr(uint32_t bits, enum shared_multi_heap_attr *attr,
					      const char **source, char *why, size_t why_size)
{
	enum dt_attr_outcome outcome;

	/* Software bits first: they say what the allocator may use the region for. */
	outcome = decide_pair(bits, SMH_DT_MEM_SW_ALLOC_CACHE, SMH_DT_MEM_SW_ALLOC_NON_CACHE,
			      "zephyr,memory-attr SW_ALLOC_CACHE",
			      "zephyr,memory-attr SW_ALLOC_NON_CACHE", attr, source, why, why_size);
	if (outcome != DT_ATTR_NOT_POOL) {
		return outcome;
	}
	outcome = decide_pair(bits, SMH_DT_MEM_CACHEABLE, SMH_DT_MEM_NON_CACHEABLE,
			      "zephyr,memory-attr CACHEABLE", "zephyr,memory-attr NON_CACHEABLE",
			      attr, source, why, why_size);
	if (outcome != DT_ATTR_NOT_POOL) {
		return outcome;
	}
	/* External memory is its own pool class, whatever its cache policy. */
	if (bits & SMH_DT_MEM_ARM_MPU_EXTMEM) {
		*attr = SMH_REG_ATTR_EXTERNAL;
		*source = "zephyr,memory-attr ARM MPU EXTMEM";
		return DT_ATTR_POOL;
	}
	outcome =
		decide_pair(bits, SMH_DT_MEM_ARM_MPU_RAM, SMH_DT_MEM_ARM_MPU_RAM_NOCACHE,
			    "zephyr,memory-attr ARM MPU RAM",
			    "zephyr,memory-attr ARM MPU RAM_NOCACHE", attr, source, why, why_size);
	if (outcome == DT_ATTR_NOT_POOL) {
		snprintf(why, why_size,
			 "zephyr,memory-attr 0x%08" PRIx32
			 " names no shared_multi_heap attribute (cacheable, non-cacheable, "
			 "external)",
			 bits);
	}
	return outcome;
}

struct string_form {
	const char *value;
	enum dt_attr_outcome outcome;
	enum shared_multi_heap_attr attr;
	const char *memory_attr_source;
	const char *mpu_source;
};

static const struct string_form string_forms[] = {
	{"RAM", DT_ATTR_POOL, SMH_REG_ATTR_CACHEABLE, "zephyr,memory-attr \"RAM\"",
	 "zephyr,memory-region-mpu \"RAM\""},
	{"RAM_NOCACHE", DT_ATTR_POOL, SMH_REG_ATTR_NON_CACHEABLE,
	 "zephyr,memory-attr \"RAM_NOCACHE\"", "zephyr,memory-region-mpu \"RAM_NOCACHE\""},
	{"EXTMEM", DT_ATTR_POOL, SMH_REG_ATTR_EXTERNAL, "zephyr,memory-attr \"EXTMEM\"",
	 "zephyr,memory-region-mpu \"EXTMEM\""},
	{"FLASH", DT_ATTR_NOT_POOL, SMH_REG_ATTR_NUM, NULL, NULL},
	{"PPB", DT_ATTR_NOT_POOL, SMH_REG_ATTR_NUM, NULL, NULL},
	{"IO", DT_ATTR_NOT_POOL, SMH_REG_ATTR_NUM, NULL, NULL},
};

enum dt_attr_outcome dt_attr_from_string(const char *property, const char *value, int len,
					 enum shared_multi_heap_attr *attr, const char **source,
					 char *why, size_t why_size)
{
	static const char *const names[] = {"RAM", "RAM_NOCACHE", "EXTMEM", "FLASH", "PPB", "IO"};
	static const char expected[] = "\"RAM\", \"RAM_NOCACHE\" or \"EXTMEM\"";
	int is_mpu = strcmp(property, "zephyr,memory-region-mpu") == 0;

	if (!dt_is_string(value, len)) {
		snprintf(why, why_size, "%s is not one string; use %s", property, expected);
		return DT_ATTR_INVALID;
	}
	for (size_t i = 0; i < sizeof(string_forms) / sizeof(string_forms[0]); i++) {
		const struct string_form *form = &string_forms[i];

		if (strcmp(value, form->value) != 0) {
			continue;
		}
		if (form->outcome == DT_ATTR_POOL) {
			*attr = form->attr;
			*source = is_mpu ? form->mpu_source : form->memory_attr_source;
		} else {
			snprintf(why, why_size, "%s \"%s\" names no shared_multi_heap attribute",
				 property, form->value);
		}
		return form->outcome;
	}
	explain_unknown(property, value, (size_t)len - 1u, names, sizeof(names) / sizeof(names[0]),
			expected, why, why_size);
	return DT_ATTR_INVALID;
}
