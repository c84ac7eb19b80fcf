/* The allocator for heaps with 8-byte chunk headers (32-bit fields). */
#define HEAP_FORMAT_FIXED_BIG 1
#define HEAP_FORMAT_FN(name)  name##_big
#include "heap_core.inc"
