/* SPDX-License-Identifier: MIT */
/*
 * core/debug.h - the debug tier (Linux CONFIG_DEBUG_VM): consistency checks
 * on the allocation and free paths that cost too much for a release build.
 *
 *   LAB_BUG_ON(cond, page, rule)    the state is broken: report, count, and
 *                                   let the caller refuse (the macro's value
 *                                   is cond, so "if (LAB_BUG_ON(...)) return
 *                                   NULL;" leaves the state unchanged)
 *   LAB_WARN_ON(cond, page, rule)   suspicious but survivable: report, count
 *
 * Without LAB_DEBUG_VM both are the constant 0 and their arguments are not
 * evaluated: the release paths compile to the same code as without them.
 * CMake defines LAB_DEBUG_VM=1 for the Debug build type and for sanitizer
 * builds (LAB_SANITIZE), never for Release.
 *
 * A report names the page (pfn and its state word), the rule broken and the
 * caller (function, file:line), through the platform's log:
 *
 *   BUG: debug_vm: pfn 0x1234 (flags 0x1 order 3 mt 1 zone 2): rule
 *   "buddy page state" broken in lab__buddy_rmqueue_smallest (core/buddy.c:130)
 *
 * and adds one to the instance's debug_vm_bugs or debug_vm_warnings, which
 * lab_mem_check() reports. The instance is found from the page
 * (lab__mem_of_page), as Linux's VM_BUG_ON_PAGE finds it from the struct page.
 */
#ifndef LAB_CORE_DEBUG_H
#define LAB_CORE_DEBUG_H

#ifdef LAB_DEBUG_VM
void lab__debug_vm_report(const struct lab_page *page, bool bug, const char *rule,
			  const char *func, const char *file, int line);

#define LAB__DEBUG_VM_CHECK(cond, page, rule, bug)                                             \
	(__builtin_expect(!!(cond), 0)                                                           \
		 ? (lab__debug_vm_report((page), (bug), (rule), __func__, __FILE__, __LINE__), 1) \
		 : 0)
#define LAB_BUG_ON(cond, page, rule)  LAB__DEBUG_VM_CHECK(cond, page, rule, true)
#define LAB_WARN_ON(cond, page, rule) LAB__DEBUG_VM_CHECK(cond, page, rule, false)
#else
#define LAB_BUG_ON(cond, page, rule)  0
#define LAB_WARN_ON(cond, page, rule) 0
#endif

#endif
