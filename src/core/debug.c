/* SPDX-License-Identifier: MIT */
/*
 * core/debug.c - the reports of the debug tier (debug.h): one log line per
 * broken rule, naming the page, the rule and the caller, and a count per
 * instance. Compiled to nothing without LAB_DEBUG_VM.
 */
#include "internal.h"

#ifdef LAB_DEBUG_VM
/* The last two parts of __FILE__ ("core/buddy.c"): a log line is 256 bytes. */
static const char *short_file(const char *file)
{
	const char *last = NULL, *before = NULL;
	for (const char *c = file; *c; c++)
		if (*c == '/') {
			before = last;
			last = c;
		}
	return before ? before + 1 : last ? last + 1 : file;
}

void lab__debug_vm_report(const struct lab_page *page, bool bug, const char *rule,
			  const char *func, const char *file, int line)
{
	struct lab_mem *mem = page ? lab__mem_of_page(page) : NULL;

	if (!mem)
		return;   /* not a page of any instance: nowhere to log or count */
	struct lab_page s = page_state(page);
	__atomic_fetch_add(bug ? &mem->debug_vm_bugs : &mem->debug_vm_warnings, 1, __ATOMIC_RELAXED);
	lab__log(mem, bug ? LAB_LOG_ERR : LAB_LOG_WARNING,
		 "%s: debug_vm: pfn %#llx (flags %#x order %u mt %u zone %u): rule \"%s\" broken in %s (%s:%d)",
		 bug ? "BUG" : "WARNING", (unsigned long long)page_pfn(mem, page), s.flags, s.order, s.mt,
		 s.zone, rule, func, short_file(file), line);
}
#endif
