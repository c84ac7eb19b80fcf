/* The allocator for heaps with 4-byte chunk headers (16-bit fields). */
#define HEAP_FORMAT_FIXED_BIG 0
#define HEAP_FORMAT_FN(name)  name##_small
#include "heap_core.inc"
