/*
 * sys_heap_print_info(): the bucket table, optionally every chunk, and the
 * free / allocated / overhead summary. Walks read only chunks inside the
 * bounds the handle recorded at init and are bounded by the heap size, so
 * printing a damaged heap (the moment it is most wanted) neither reads
 * outside it nor loops forever.
 */
#include <stdarg.h>

#include <smhsim/port.h>

#include "heap.h"
#include "heap_hooks.h"

static void print_line(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	smh_port_vprint(fmt, args);
	va_end(args);
}

struct bucket_summary {
	size_t chunks;
	chunksz_t largest;
};

HEAP_METADATA_ACCESS static struct bucket_summary summarize_bucket(const struct z_heap *h,
								   struct id_range in, int b)
{
	struct bucket_summary sum = {0, 0};
	chunkid_t head = h->buckets[b].next;
	chunkid_t c = head;

	while (c >= in.first && c < in.end && sum.chunks <= in.end) {
		if (chunk_size(h, c) > sum.largest) {
			sum.largest = chunk_size(h, c);
		}
		sum.chunks++;
		c = next_free_chunk(h, c);
		if (c == head) {
			break;
		}
	}
	return sum;
}

HEAP_METADATA_ACCESS static void print_buckets(const struct z_heap *h, struct id_range in,
					       int buckets)
{
	print_line("  bucket  min units   chunks  largest units  largest bytes\n");
	for (int b = 0; b < buckets; b++) {
		struct bucket_summary sum = summarize_bucket(h, in, b);

		if (sum.chunks == 0u) {
			continue;
		}
		print_line("  %6d  %9u  %7zu  %13u  %13zu\n", b, (1u << b) - 1u + min_chunk_size(h),
			   sum.chunks, sum.largest, chunksz_to_bytes(h, sum.largest));
	}
}

HEAP_METADATA_ACCESS static char chunk_marker(const struct z_heap *h, chunkid_t c)
{
	if (chunk_used(h, c)) {
		return '*';
	}
	return undersized_chunk(h, c) ? '.' : '-';
}

HEAP_METADATA_ACCESS static void print_chunks(const struct z_heap *h, struct id_range in)
{
	chunkid_t c = 0;

	print_line("  chunks ('*' used, '-' free, '.' free but too small to list):\n");
	for (;;) {
		print_line("  chunk %6u [%c] size %6u  left %6u  right %6u\n", c,
			   chunk_marker(h, c), chunk_size(h, c), left_chunk(h, c),
			   right_chunk(h, c));
		if (c >= in.end || chunk_size(h, c) == 0u || chunk_size(h, c) > in.end - c) {
			break;
		}
		c = right_chunk(h, c);
	}
}

HEAP_METADATA_ACCESS static void print_summary(const struct z_heap *h, struct id_range in)
{
	size_t free_bytes = 0;
	size_t allocated_bytes = 0;
	chunkid_t end = in.end;

	for (chunkid_t c = in.first; c < end; c = right_chunk(h, c)) {
		if (chunk_size(h, c) == 0u || chunk_size(h, c) > end - c) {
			print_line("  (chunk %u has a corrupted size: summary stops)\n", c);
			break;
		}
		if (chunk_used(h, c)) {
			allocated_bytes += chunksz_to_bytes(h, chunk_size(h, c));
		} else if (!undersized_chunk(h, c)) {
			free_bytes += chunksz_to_bytes(h, chunk_size(h, c));
		}
	}

	size_t total = (size_t)end * CHUNK_UNIT + chunk_header_bytes(h);
	size_t overhead = total - free_bytes - allocated_bytes;
	size_t tenths = overhead * 1000u / total;

	print_line("  %zu free bytes, %zu allocated bytes, %zu overhead bytes (%zu.%zu%%)\n",
		   free_bytes, allocated_bytes, overhead, tenths / 10u, tenths % 10u);
}

HEAP_METADATA_ACCESS void sys_heap_print_info(struct sys_heap *heap, bool dump_chunks)
{
	HEAP_HOOK_GUARD(heap);

	if (heap == NULL || heap->heap == NULL) {
		print_line("Heap not initialized\n");
		return;
	}

	const struct z_heap *h = heap->heap;
	struct id_range in = heap_id_range(heap);

	print_line("Heap at %p contains %u units in %d buckets (%s format)\n", (void *)h, in.end,
		   heap_bucket_count(heap), big_heap(h) ? "big" : "small");
	if (h->end_chunk != in.end || heap_first_chunk(h) != in.first) {
		print_line("  (chunk 0 is damaged: it says %u units, first chunk %u)\n",
			   h->end_chunk, heap_first_chunk(h));
	}
	print_buckets(h, in, heap_bucket_count(heap));
	if (dump_chunks) {
		print_chunks(h, in);
	}
	print_summary(h, in);
}
