/*
 * The node type of Zephyr's singly linked list, which heap listeners embed.
 * Only the type is provided: smhsim keeps its own list code private.
 */
#ifndef ZEPHYR_INCLUDE_SYS_SLIST_H_
#define ZEPHYR_INCLUDE_SYS_SLIST_H_

struct _snode {
	struct _snode *next;
};
typedef struct _snode sys_snode_t;

#endif /* ZEPHYR_INCLUDE_SYS_SLIST_H_ */
