// SPDX-License-Identifier: GPL-2.0-only
#include "module/sign.h"
#include "common/log.h"
#include "common/run.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* sign-file as built with the prepared source tree, else the headers'. */
static char *find_sign_file(const struct kernel_inputs *in)
{
	const char *dirs[] = { in->src, in->headers };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char *p;

		if (!dirs[i])
			continue;
		p = xasprintf("%s/scripts/sign-file", dirs[i]);
		if (!access(p, X_OK))
			return p;
		free(p);
	}
	return NULL;
}

int module_sign(const struct kernel_inputs *in, const char *key, const char *cert,
		const char *ko)
{
	char *tool = find_sign_file(in);
	struct run_opts ro = { 0 };
	int status;

	if (!cert) {
		pr_err("--sign-key needs --sign-cert (the key's X.509 certificate)");
		unlink(ko);
		free(tool);
		return -EINVAL;
	}
	if (!tool) {
		pr_err("no executable scripts/sign-file in '%s' or '%s'", in->src ? in->src : "-",
		       in->headers ? in->headers : "-");
		unlink(ko);
		return -ENOPKG;
	}
	pr_info("Signing %s (sha256, %s)", ko, cert);
	status = run(&ro, tool, "sha256", key, cert, ko, (char *)NULL);
	free(tool);
	if (status) {
		pr_err("sign-file failed (status %d) signing '%s' with '%s' and '%s'", status, ko,
		       key, cert);
		unlink(ko);
		return status < 0 ? status : -EINVAL;
	}
	return 0;
}
