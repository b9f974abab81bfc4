// SPDX-License-Identifier: GPL-2.0-only
/* livefix build: source patches -> livepatch-NAME.ko */
#include "cli/cmds.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/strutil.h"
#include "common/outcome.h"
#include "pipeline/build_livepatch.h"
#include "patch/patch_header.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A bad command line: EXIT_USAGE, with --json its document too. */
static int usage_error(const struct livepatch_build_opts *o, bool json)
{
	struct livepatch_build_report none = { 0 };

	if (json)
		print_build_json(o, &none, NULL, -EINVAL, EXIT_USAGE);
	return EXIT_USAGE;
}

static void build_usage(FILE *out)
{
	fprintf(out,
		"usage: livefix build [-k KVER] [-n NAME] [-o DIR] [options] PATCH...\n"
		"       livefix build --update VERSION [--plan] [-k KVER] [-o DIR]\n"
		"                     [--only PATH,...] [--limit N] [-j N]\n"
		"\n"
		"Builds a livepatch module from source patches (patch -p1 against the\n"
		"kernel's source) for a Debian kernel, compiling only what they touch.\n"
		"\n"
		"  -k, --kernel KVER        target kernel release (default: the running one)\n"
		"  -n, --name NAME          module name livepatch-NAME (default: first patch's name)\n"
		"  -o, --output DIR         where to write the module (default: .)\n"
		"      --no-replace         do not atomically replace earlier livepatches\n"
		"      --description TEXT   a description stored in the module (default: the\n"
		"                           first patch's Subject: line)\n"
		"      --cve ID             a CVE the patch fixes (repeatable; default: the ids\n"
		"                           of the headers' 'CVE:' lines, not those of prose)\n"
		"      --effective-version VER  the kernel version the host is at once applied\n"
		"      --skip-compiler-check  build even if gcc differs from the kernel's\n"
		"      --keep-workdir       keep the temporary build directory\n"
		"      --sign-key KEY       sign the module with the kernel's sign-file (sha256)\n"
		"      --sign-cert CERT     the X.509 certificate of KEY (PEM or DER)\n"
		"      --json               print one JSON document on standard output (the\n"
		"                           outcome, each reason with its code, the module,\n"
		"                           the patched functions, timings); progress goes to\n"
		"                           standard error (docs/build.schema.json)\n"
		"      --max-units N        compile at most N units for changed headers\n"
		"                           (default 40); beyond, only the units using what\n"
		"                           a header change modifies (inline functions,\n"
		"                           macros, declarations) or adds, if they fit\n"
		"      --update VERSION     a whole Debian kernel update to VERSION (e.g.\n"
		"                           6.1.176-1) of the kernel's series as ONE\n"
		"                           cumulative module (atomic replace): both\n"
		"                           linux-source packages fetched by apt (cached,\n"
		"                           SHA256-checked), every changed file grouped as\n"
		"                           the changes need each other, each group tried\n"
		"                           alone (a refused one is left out with its\n"
		"                           code), the others built together; report.md\n"
		"                           and report.json in DIR say what became of each\n"
		"                           file and of each CVE of the changelog since\n"
		"                           the running version (docs/update.md)\n"
		"      --plan               with --update: write the plan (plan.json,\n"
		"                           plan.md in DIR) and build nothing\n"
		"      --only PATH,...      with --update: only the groups with a file\n"
		"                           under one of these path prefixes\n"
		"      --limit N            with --update: build at most N groups\n"
		"  -j, --jobs N             with --update: groups tried at once (default 1)\n"
		"  -h, --help               this help\n"
		"\n"
		"Exit status: 0 built, 1 failed, 2 usage, 3 refused (unsafe or no\n"
		"functional change), 4 environment (packages, compiler). Every reason\n"
		"line carries a stable code, \"refused [data-layout]: ...\" (docs/codes.md).\n");
}

int cmd_build(int argc, char **argv)
{
	enum { OPT_NO_REPLACE = 256, OPT_SKIP_CC, OPT_KEEP, OPT_DESC, OPT_CVE, OPT_EFFECTIVE,
	       OPT_SIGN_KEY, OPT_SIGN_CERT, OPT_MAX_UNITS, OPT_JSON, OPT_UPDATE, OPT_PLAN,
	       OPT_ONLY, OPT_LIMIT };
	static const struct option longopts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "name", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "no-replace", no_argument, NULL, OPT_NO_REPLACE },
		{ "skip-compiler-check", no_argument, NULL, OPT_SKIP_CC },
		{ "keep-workdir", no_argument, NULL, OPT_KEEP },
		{ "description", required_argument, NULL, OPT_DESC },
		{ "cve", required_argument, NULL, OPT_CVE },
		{ "effective-version", required_argument, NULL, OPT_EFFECTIVE },
		{ "sign-key", required_argument, NULL, OPT_SIGN_KEY },
		{ "sign-cert", required_argument, NULL, OPT_SIGN_CERT },
		{ "max-units", required_argument, NULL, OPT_MAX_UNITS },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "update", required_argument, NULL, OPT_UPDATE },
		{ "plan", no_argument, NULL, OPT_PLAN },
		{ "only", required_argument, NULL, OPT_ONLY },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct livepatch_build_opts o = { .replace = true };
	struct livepatch_build_report report = { 0 };
	char *ko = NULL, *cves = NULL;
	const char *update = NULL;
	struct update_cli uo = { 0 };
	bool json = false, plan = false;
	int c, ret, status;

	/* --json anywhere on the line: even a usage error is a document */
	for (c = 1; c < argc && strcmp(argv[c], "--"); c++)
		json |= !strcmp(argv[c], "--json");
	if (json) {
		log_set_info_stream(stderr);
		outcomes_keep_errors();
	}

	while ((c = getopt_long(argc, argv, "k:n:o:j:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k': o.kver = optarg; break;
		case 'n': o.name = optarg; break;
		case 'o': o.outdir = optarg; break;
		case OPT_NO_REPLACE: o.replace = false; break;
		case OPT_SKIP_CC: o.allow_compiler_mismatch = true; break;
		case OPT_KEEP: o.keep_workdir = true; break;
		case OPT_DESC: o.description = optarg; break;
		case OPT_CVE:
			if (!cve_id_is_valid(optarg)) {
				pr_err("--cve '%s': not a CVE id (CVE-YYYY-NNNN...)", optarg);
				free(cves);
				return EXIT_USAGE;
			}
			cve_list_append(&cves, optarg);
			break;
		case OPT_EFFECTIVE: o.effective_version = optarg; break;
		case OPT_SIGN_KEY: o.sign_key = optarg; break;
		case OPT_SIGN_CERT: o.sign_cert = optarg; break;
		case OPT_MAX_UNITS:
			if (cli_parse_count("--max-units", "a number of units", optarg, &o.max_units)) {
				free(cves);
				return usage_error(&o, json);
			}
			break;
		case OPT_JSON: break;
		case OPT_UPDATE: update = optarg; break;
		case OPT_PLAN: plan = true; break;
		case OPT_ONLY: uo.only = optarg; break;
		case OPT_LIMIT:
		case 'j':
			if (cli_parse_count(c == 'j' ? "--jobs" : "--limit", "a number", optarg,
					c == 'j' ? &uo.jobs : &uo.limit)) {
				free(cves);
				return EXIT_USAGE;
			}
			uo.update_only = true;
			break;
		case 'h': build_usage(stdout); return EXIT_OK;
		default: build_usage(stderr); return usage_error(&o, json);
		}
	}
	if (!o.sign_key != !o.sign_cert) {
		pr_err("--sign-key and --sign-cert go together");
		build_usage(stderr);
		free(cves);
		return usage_error(&o, json);
	}
	if (update || plan || uo.only || uo.update_only) {
		free(cves);
		if (!update || optind < argc || json || (plan && (uo.only || uo.update_only))) {
			pr_err("--update VERSION goes without patches or --json; --plan, or "
			       "--only, --limit and --jobs");
			build_usage(stderr);
			return EXIT_USAGE;
		}
		uo.kver = o.kver, uo.target = update, uo.outdir = o.outdir, uo.plan = plan;
		uo.keep_workdir = o.keep_workdir, uo.max_units = o.max_units;
		return cmd_build_update(&uo);
	}
	if (optind >= argc) {
		pr_err("no patch given");
		build_usage(stderr);
		free(cves);
		return usage_error(&o, json);
	}
	o.patches = argv + optind;
	o.nr_patches = (size_t)(argc - optind);
	o.cves = cves;
	o.report = &report;
	cleanup_install_signals();
	ret = livepatch_build(&o, &ko);
	status = cli_conclude(CLI_BUILD, ret, json);
	if (json && print_build_json(&o, &report, ko, ret, status) && status == EXIT_OK)
		status = EXIT_FAILURE_GENERIC; /* the module is built, its report lost */
	livepatch_build_report_release(&report);
	free(ko);
	free(cves);
	return status;
}
