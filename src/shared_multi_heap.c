/*
 * shared_multi_heap: one process-wide pool of memory regions, each with an
 * attribute, served through a sys_multi_heap whose choice callback picks the
 * first region of the requested attribute (in add order) that can hold the
 * block.
 *
 * Every entry point that reads or changes the pool holds the pool lock
 * (SMH_PORT_LOCK_SHARED_POOL), as current Zephyr main does with a spinlock:
 * sys_heap and sys_multi_heap have no locking of their own. A fault handler
 * runs with the lock held and must not call back into the pool.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <smhsim/heap_ext.h>
#include <smhsim/port.h>
#include <smhsim/shared_pool.h>
#include <zephyr/multi_heap/shared_multi_heap.h>

/* One region of the pool: what the caller described, and the heap over it. */
struct smh_region_slot {
	struct shared_multi_heap_region region;
	void *user_data;
	struct sys_heap heap;
};

static void *smh_choice(struct sys_multi_heap *mheap, void *cfg, size_t align, size_t size);

/*
 * Pool state, all guarded by the pool lock. Slots are in add order (the
 * first-fit order); the multi-heap keeps its own address-sorted records of
 * the same heaps for owner lookup. The multi-heap starts with its choice
 * callback set, so a call before pool_init finds no region instead of
 * calling through NULL.
 */
static struct sys_multi_heap smh_mheap = {.choice = smh_choice};
static struct smh_region_slot smh_slots[MAX_MULTI_HEAPS];
static unsigned int smh_slot_count;
static bool smh_initialized;

static void pool_lock(void)
{
	smh_port_lock(SMH_PORT_LOCK_SHARED_POOL);
}

static void pool_unlock(void)
{
	smh_port_unlock(SMH_PORT_LOCK_SHARED_POOL);
}

static bool attr_valid(unsigned int attr)
{
	return attr < SMH_REG_ATTR_NUM;
}

/* The attribute travels through the multi-heap's opaque cfg pointer. */
static void *attr_to_cfg(enum shared_multi_heap_attr attr)
{
	return (void *)(uintptr_t)attr;
}

/* First fit over the regions of the attribute in @cfg, in add order. */
static void *smh_choice(struct sys_multi_heap *mheap, void *cfg, size_t align, size_t size)
{
	uintptr_t attr = (uintptr_t)cfg;

	(void)mheap;
	if (size == 0) {
		return NULL;
	}
	for (unsigned int i = 0; i < smh_slot_count; i++) {
		if (smh_slots[i].region.attr != attr) {
			continue;
		}

		void *block = sys_heap_aligned_alloc(&smh_slots[i].heap, align, size);

		if (block != NULL) {
			return block;
		}
	}
	return NULL;
}

int shared_multi_heap_pool_init(void)
{
	int ret = -EALREADY;

	/* Check and set under the lock: of racing callers exactly one wins,
	 * and no add can slip in before the multi-heap is ready. */
	pool_lock();
	if (!smh_initialized) {
		sys_multi_heap_init(&smh_mheap, smh_choice);
		smh_initialized = true;
		ret = 0;
	}
	pool_unlock();
	return ret;
}

static bool region_overlaps_pool(uintptr_t start, uintptr_t end)
{
	for (unsigned int i = 0; i < smh_slot_count; i++) {
		uintptr_t slot_start = smh_slots[i].region.addr;
		uintptr_t slot_end = slot_start + smh_slots[i].region.size;

		if (start < slot_end && slot_start < end) {
			return true;
		}
	}
	return false;
}

/* Builds a heap over @region in the next free slot; the pool lock is held. */
static int add_region_locked(const struct shared_multi_heap_region *region, void *user_data)
{
	if (!smh_initialized) {
		return -EINVAL;
	}
	/* Every attribute may hold MAX_MULTI_HEAPS regions, but they all share
	 * one multi-heap of that capacity, so the total limit is the one that
	 * bites: a full attribute implies a full pool. */
	if (smh_slot_count >= MAX_MULTI_HEAPS) {
		return -ENOMEM;
	}

	uintptr_t end = region->addr + region->size;

	/* Initializing a heap writes its metadata into the region: refuse a
	 * region that wraps or overlaps one already serving blocks. */
	if (end < region->addr || region_overlaps_pool(region->addr, end)) {
		return -EINVAL;
	}

	struct smh_region_slot *slot = &smh_slots[smh_slot_count];

	if (sys_heap_init_ex(&slot->heap, (void *)region->addr, region->size,
			     SYS_HEAP_FORMAT_DEFAULT) != 0) {
		memset(slot, 0, sizeof(*slot));
		return -EINVAL;
	}

	/* The checks above cover every refusal of add_heap (capacity, overlap,
	 * uninitialized heap); its result is still honoured so that the slots
	 * and the multi-heap's records can never disagree. */
	int ret = sys_multi_heap_add_heap(&smh_mheap, &slot->heap, user_data);

	if (ret != 0) {
		memset(slot, 0, sizeof(*slot));
		return ret;
	}
	slot->region = *region;
	slot->user_data = user_data;
	smh_slot_count++;
	return 0;
}

int shared_multi_heap_add(struct shared_multi_heap_region *region, void *user_data)
{
	if (region == NULL || !attr_valid(region->attr)) {
		return -EINVAL;
	}

	pool_lock();
	int ret = add_region_locked(region, user_data);
	pool_unlock();
	return ret;
}

void *shared_multi_heap_alloc(enum shared_multi_heap_attr attr, size_t bytes)
{
	return shared_multi_heap_aligned_alloc(attr, 0, bytes);
}

void *shared_multi_heap_aligned_alloc(enum shared_multi_heap_attr attr, size_t align, size_t bytes)
{
	if (!attr_valid((unsigned int)attr)) {
		return NULL;
	}

	pool_lock();
	void *block = sys_multi_heap_aligned_alloc(&smh_mheap, attr_to_cfg(attr), align, bytes);
	pool_unlock();
	return block;
}

void *shared_multi_heap_realloc(enum shared_multi_heap_attr attr, void *ptr, size_t bytes)
{
	/* Checked before anything else so that a bad attribute never frees,
	 * even with @bytes 0. */
	if (!attr_valid((unsigned int)attr)) {
		return NULL;
	}

	pool_lock();
	void *block = sys_multi_heap_realloc(&smh_mheap, attr_to_cfg(attr), ptr, bytes);
	pool_unlock();
	return block;
}

void shared_multi_heap_free(void *block)
{
	if (block == NULL) {
		return;
	}

	pool_lock();
	sys_multi_heap_free(&smh_mheap, block);
	pool_unlock();
}

/* ---- smhsim additions (<smhsim/shared_pool.h>) ---- */

void shared_multi_heap_pool_reset(void)
{
	pool_lock();
	sys_multi_heap_init(&smh_mheap, smh_choice);
	memset(smh_slots, 0, sizeof(smh_slots));
	smh_slot_count = 0;
	smh_initialized = false;
	pool_unlock();
}

bool shared_multi_heap_pool_is_initialized(void)
{
	pool_lock();
	bool initialized = smh_initialized;
	pool_unlock();
	return initialized;
}

unsigned int shared_multi_heap_region_count(void)
{
	pool_lock();
	unsigned int count = smh_slot_count;
	pool_unlock();
	return count;
}

int shared_multi_heap_region_info(unsigned int index, struct shared_multi_heap_region_info *info)
{
	int ret = -EINVAL;

	if (info == NULL) {
		return ret;
	}

	pool_lock();
	if (index < smh_slot_count) {
		info->region = smh_slots[index].region;
		info->user_data = smh_slots[index].user_data;
		info->heap = &smh_slots[index].heap;
		ret = 0;
	}
	pool_unlock();
	return ret;
}

int shared_multi_heap_region_of(const void *ptr)
{
	int index = -1;

	pool_lock();
	const struct sys_multi_heap_rec *rec = sys_multi_heap_get_heap(&smh_mheap, (void *)ptr);

	if (rec != NULL) {
		/* Every registered heap is the heap member of one slot. */
		const struct smh_region_slot *slot =
			(const struct smh_region_slot *)((const char *)rec->heap -
							 offsetof(struct smh_region_slot, heap));

		index = (int)(slot - smh_slots);
	}
	pool_unlock();
	return index;
}
