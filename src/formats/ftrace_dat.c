// SPDX-License-Identifier: MIT
/*
 * formats/ftrace_dat.c - binary trace.dat through libtracecmd.
 *
 * libtracecmd walks the records; each one becomes the same columns a text
 * line has (cpu, pid, comm, irq context from trace_entry.flags) and its
 * payload, printed by libtraceevent as `trace-cmd report` would, goes
 * through the text decoders (ftrace_events.c), so a trace.dat and its
 * report text give the same events. gfp masks and the failed-allocation
 * pfn come from the raw fields instead of their printed names.
 *
 * libtracecmd reads from a file descriptor: a plain file is opened by
 * path, anything that was decompressed or came from stdin is staged in a
 * memfd. Cost: one libtraceevent print per record.
 */
#ifdef LAB_HAVE_TRACECMD
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <trace-cmd.h>
#include <event-parse.h>

#include "formats/ftrace_int.h"
#include "formats/input.h"
#include "util/text.h"

struct dat_ctx {
	struct ftrace_parser *p;
	struct tep_handle *tep;
	struct trace_seq s;
	int rc;
};

/* TRACE_FLAG_* of the kernel's trace_entry.flags (kernel/trace/trace.h) */
#define KTRACE_FLAG_IRQS_OFF 0x01
#define KTRACE_FLAG_HARDIRQ  0x08
#define KTRACE_FLAG_SOFTIRQ  0x10
#define KTRACE_FLAG_NMI      0x40

static int dat_record(struct tracecmd_input *h, struct tep_record *rec, int cpu, void *data)
{
	struct dat_ctx *c = data;
	struct ftrace_parser *p = c->p;
	struct lab_ftrace *t = p->t;
	struct lab_ftrace_event e;
	(void)h;

	p->lineno++;
	if (rec->missed_events) {
		t->lost_reports++;
		if (rec->missed_events > 0)
			t->lost_events += (uint64_t)rec->missed_events;
	}
	struct tep_event *ev = tep_find_event_by_record(c->tep, rec);
	if (!ev)
		return 0;       /* padding/unknown id: libtracecmd already warned */
	memset(&e, 0, sizeof(e));
	e.order = -1;
	e.mt = -1;
	e.line = p->lineno;
	e.ts_ns = rec->ts;
	e.cpu = (uint16_t)cpu;
	int pid = tep_data_pid(c->tep, rec);
	e.pid = pid < 0 ? 0 : (uint32_t)pid;
	const char *comm = tep_data_comm_from_pid(c->tep, pid);
	if (!comm)
		comm = "<...>";
	long cid = lab__ft_intern_comm(p, comm, strlen(comm), e.pid);
	if (cid < 0) {
		c->rc = LAB_FTRACE_ENOMEM;
		return -1;
	}
	e.comm = (uint32_t)cid;
	int fl = tep_data_flags(c->tep, rec);
	if (fl >= 0) {
		e.flags |= LAB_FTF_CTX_KNOWN;
		if (fl & KTRACE_FLAG_IRQS_OFF)
			e.flags |= LAB_FTF_IRQS_OFF;
		if (fl & KTRACE_FLAG_NMI)
			e.flags |= LAB_CTX_NMI;
		else if (fl & KTRACE_FLAG_HARDIRQ)
			e.flags |= LAB_CTX_HARDIRQ;
		else if (fl & KTRACE_FLAG_SOFTIRQ)
			e.flags |= LAB_CTX_SOFTIRQ;
	}
	trace_seq_reset(&c->s);
	tep_print_event(c->tep, &c->s, rec, "%s", TEP_PRINT_INFO);
	trace_seq_terminate(&c->s);
	const char *pl = c->s.buffer;
	size_t pn = strlen(pl);
	while (pn && (pl[pn - 1] == '\n' || pl[pn - 1] == ' '))
		pn--;
	while (pn && *pl == ' ') {
		pl++;
		pn--;
	}
	e.type = (uint8_t)lab__ft_type_of(ev->name, strlen(ev->name));
	int rc = lab__ft_decode_event(p, ev->name, strlen(ev->name), pl, pl + pn, &e);
	if (rc < 0) {
		c->rc = rc;
		return -1;
	}
	if (rc > 0)
		return 0;
	/* gfp from the raw field: exact, whatever names the kernel printed */
	unsigned long long val;
	if (tep_find_field(ev, "gfp_flags") &&
	    !tep_get_field_val(NULL, ev, "gfp_flags", rec, &val, 0))
		e.gfp = (uint32_t)val;
	else if (tep_find_field(ev, "gfp_mask") &&
		 !tep_get_field_val(NULL, ev, "gfp_mask", rec, &val, 0))
		e.gfp = (uint32_t)val;
	if (e.type == LAB_FT_PAGE_ALLOC && tep_find_field(ev, "pfn") &&
	    !tep_get_field_val(NULL, ev, "pfn", rec, &val, 0) && val == ~0ull) {
		e.flags |= LAB_FTF_FAILED;
		e.pfn = 0;
	}
	t->count[e.type]++;
	if (lab__ft_push_event(t, &e)) {
		c->rc = LAB_FTRACE_ENOMEM;
		return -1;
	}
	return 0;
}

int lab__ft_load_dat(const char *path, const unsigned char *buf, size_t len, bool from_file,
		     const struct lab_ftrace_opts *o, struct lab_ftrace *t, char *err, size_t errsz)
{
	const char *name = lab_input_name(path);
	struct tracecmd_input *h;
	int fd = -1;

	tracecmd_set_loglevel(TEP_LOG_CRITICAL);
	tep_set_loglevel(TEP_LOG_CRITICAL);
	if (from_file) {
		h = tracecmd_open(path, 0);
	} else {
		/* decompressed in memory: hand libtracecmd a memfd */
		fd = memfd_create("lab-trace-dat", 0);
		if (fd < 0)
			return lab_errf(err, errsz, LAB_FTRACE_EIO, "%s: memfd_create: %s", name, strerror(errno));
		size_t off = 0;
		while (off < len) {
			ssize_t w = write(fd, buf + off, len - off);
			if (w <= 0) {
				close(fd);
				return lab_errf(err, errsz, LAB_FTRACE_EIO, "%s: cannot stage decompressed data", name);
			}
			off += (size_t)w;
		}
		lseek(fd, 0, SEEK_SET);
		h = tracecmd_open_fd(fd, 0);
	}
	if (!h) {
		if (fd >= 0)
			close(fd);
		return lab_errf(err, errsz, LAB_FTRACE_EIO, "%s: libtracecmd cannot open this trace.dat", name);
	}
	struct ftrace_parser *p = malloc(sizeof(*p));
	struct dat_ctx c;
	memset(&c, 0, sizeof(c));
	memset(t, 0, sizeof(*t));
	if (!p) {
		tracecmd_close(h);
		return LAB_FTRACE_ENOMEM;
	}
	lab__ft_parser_init(p, t, o, name, err, errsz);
	p->gfp_numeric = true;
	c.p = p;
	c.tep = tracecmd_get_tep(h);
	trace_seq_init(&c.s);
	t->layout = LAB_FTRACE_LAYOUT_DAT;
	t->nr_cpus = c.tep ? tep_get_cpus(c.tep) : 0;
	tracecmd_iterate_events(h, NULL, 0, dat_record, &c);
	trace_seq_destroy(&c.s);
	tracecmd_close(h);
	t->lines = p->lineno;
	lab__ft_parser_fini(p);
	free(p);
	if (c.rc < 0) {
		lab_ftrace_free(t);
		return c.rc;
	}
	return 0;
}
#endif
