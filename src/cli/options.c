/* Option parsing shared by the subcommands. */
#include "cli/cmds.h"
#include "common/log.h"

#include <errno.h>
#include <stdlib.h>

int cli_parse_timeout(const char *text, double *timeout)
{
	char *end;

	*timeout = strtod(text, &end);
	if (end == text || *end || *timeout < 0) {
		pr_err("invalid --timeout '%s': expected a number of seconds",
		       text);
		return -EINVAL;
	}
	return 0;
}
