// SPDX-License-Identifier: GPL-2.0-only
/* The refusal of a header change beyond --max-units (probe.h). A
 * probe is compiled only to read its DWARF: original and patched, no
 * __LINE__-neutral pair, in the build's work directory with the same
 * overlays as any unit, so the tree and the user's files stay as they are. */
#include "headers/probe.h"
#include "common/outcome.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "diff/layout.h"

#include <errno.h>

enum probe_result {
	PROBE_LAYOUT_CHANGED, /* logged by layout_compare() */
	PROBE_SAME_LAYOUT,
	PROBE_NOT_TOLD,       /* did not compile, does not see the change, or its
				 objects cannot be read: the next probe, if any */
};

/* What one probe shows (why it cannot tell logged, not as an error: the
 * limit is still a reason to refuse). */
static enum probe_result probe_layout(const struct kernel_inputs *in, const struct patchset *ps,
				      const struct header_beyond_limit *b, const char *probe,
				      bool first)
{
	struct unit_objects u;
	double t0 = now_seconds();
	unsigned nr_changes = 0;
	bool compared = false;
	int ret;

	pr_info("%s: %s, %s, only to look for a data layout change", b->header,
		first ? "more includers than --max-units; compiling one" :
			"compiling another includer", probe);
	ret = compile_unit_pair(in, ps, probe, &u);
	if (ret == COMPILE_UNIT_UNCHANGED)
		pr_info("%s: %s preprocesses the same with the patched headers: no layout to "
			"compare", b->header, probe);
	else if (ret)
		pr_warn("%s: %s does not compile with the patched headers: data layouts not "
			"checked", b->header, probe);
	else
		ret = layout_compare(u.orig, u.patched, probe, &nr_changes), compared = true;
	pr_debug("%s: probe %s in %.1f s", b->header, probe, now_seconds() - t0);
	unit_objects_release(&u);
	if (!compared || (ret && ret != -ENOTSUP))
		return PROBE_NOT_TOLD; /* an object that cannot be read tells nothing either */
	return ret && nr_changes ? PROBE_LAYOUT_CHANGED : PROBE_SAME_LAYOUT;
}

int hdr_probe_refuse(const struct kernel_inputs *in, const struct patchset *ps,
			const struct header_beyond_limit *b)
{
	enum probe_result r = PROBE_NOT_TOLD;
	size_t i;

	/* the next probe only when this one could not tell: each takes seconds */
	for (i = 0; i < b->nr_probes && r == PROBE_NOT_TOLD; i++)
		r = probe_layout(in, ps, b, b->probes[i], !i);
	if (r == PROBE_LAYOUT_CHANGED)
		report(CODE_DATA_LAYOUT, ABOUT(.object = b->probes[i - 1], .symbol = b->header),
		       "%s: %s: only %s was compiled, to look for a data layout change",
		       b->header, b->affects, b->probes[i - 1]);
	else
		report(CODE_HEADER_LIMIT, ABOUT(.symbol = b->header), "%s", b->refusal);
	return -ENOTSUP;
}
