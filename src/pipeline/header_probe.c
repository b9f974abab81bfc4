/* The refusal of a header change beyond --max-units (header_probe.h). The
 * probe is compiled only to read its DWARF: original and patched, no
 * __LINE__-neutral pair, in the build's work directory with the same
 * overlays as any unit, so the tree and the user's files stay as they are. */
#include "pipeline/header_probe.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "diff/layout.h"

#include <errno.h>

/* True when the probe shows a changed layout (logged by layout_compare());
 * false when it does not, or cannot tell (why logged, not as an error:
 * the limit is still a reason to refuse). */
static bool probe_shows_layout_change(const struct kernel_inputs *in,
				      const struct patchset *ps,
				      const struct header_beyond_limit *b)
{
	struct unit_objects u;
	double t0 = now_seconds();
	unsigned nr_changes = 0;
	int ret;

	pr_info("%s: more includers than --max-units; compiling one, %s, only to look for a "
		"data layout change", b->header, b->probe);
	ret = compile_unit_pair(in, ps, b->probe, &u);
	if (ret == COMPILE_UNIT_UNCHANGED)
		pr_info("%s: %s preprocesses the same with the patched headers: no layout to "
			"compare", b->header, b->probe);
	else if (ret)
		pr_warn("%s: %s does not compile with the patched headers: data layouts not "
			"checked", b->header, b->probe);
	else
		ret = layout_compare(u.orig, u.patched, b->probe, &nr_changes);
	pr_debug("%s: probe %s in %.1f s", b->header, b->probe, now_seconds() - t0);
	unit_objects_release(&u);
	return ret == -ENOTSUP && nr_changes;
}

int header_probe_refuse(const struct kernel_inputs *in, const struct patchset *ps,
			const struct header_beyond_limit *b)
{
	if (b->probe && probe_shows_layout_change(in, ps, b))
		pr_err("refused: %s: %s: only %s was compiled, to look for a data layout change",
		       b->header, b->affects, b->probe);
	else
		pr_err("%s", b->refusal);
	return -ENOTSUP;
}
