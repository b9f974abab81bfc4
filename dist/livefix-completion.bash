# SPDX-License-Identifier: GPL-2.0-only
# bash completion for livefix                      -*- shell-script -*-
# Installed as /usr/share/bash-completion/completions/livefix.

_livefix_installed_names()
{
	local dir=/var/lib/livefix/$(uname -r) f
	for f in "$dir"/*.ko; do
		[ -e "$f" ] && basename "$f" .ko
	done 2>/dev/null
}

_livefix_loaded_names()
{
	local d
	for d in /sys/kernel/livepatch/*/; do
		[ -d "$d" ] && basename "$d"
	done 2>/dev/null
}

# Files (optionally *.EXT) or directories, with bash-completion's _filedir
# when it is there and plain compgen otherwise.
_livefix_files()
{
	if declare -F _filedir >/dev/null; then
		_filedir "$@"
	elif [[ $1 == -d ]]; then
		COMPREPLY+=($(compgen -d -- "$cur"))
	else
		COMPREPLY+=($(compgen -d -- "$cur") $(compgen -f -X "!*.${1:-*}" -- "$cur"))
	fi
}

_livefix()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion || return
	else
		words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
		cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	fi

	local commands="build fetch load unload list info install uninstall show
		upgrade remove uname status package user report"
	local cmd i
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-*) ;;
		*) cmd=${words[i]}; break ;;
		esac
	done
	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W "$commands -v --verbose -q --quiet --version -h --help" -- "$cur"))
		return
	fi

	case $prev in
	-k | --kernel)
		COMPREPLY=($(compgen -W "$(ls /var/lib/livefix 2>/dev/null; uname -r)" -- "$cur"))
		return ;;
	-t | --timeout) return ;;
	-o | --output) _livefix_files -d; return ;;
	-n | --name | --description | --cve | --effective-version | --max-units) return ;;
	esac

	# livefix user SUB ...: the subcommand, then its options and operands
	if [[ $cmd == user ]]; then
		local sub
		for ((i = i + 1; i < cword; i++)); do
			[[ ${words[i]} != -* ]] && { sub=${words[i]}; break; }
		done
		case $sub in
		"") COMPREPLY=($(compgen -W "build apply revert list source rebuild install uninstall watch -h --help" -- "$cur")) ;;
		build)
			case $prev in
			-b | --binary | -u | --units) _livefix_files ;;
			-s | --source | -w | --workdir) _livefix_files -d ;;
			-n | --name | -o | --output) ;;
			*) if [[ $cur == -* ]]; then
				COMPREPLY=($(compgen -W "-b --binary -u --units -s --source -n --name -o --output -w --workdir -h --help" -- "$cur"))
			else _livefix_files patch; fi ;;
			esac ;;
		apply) [[ $prev == -p || $prev == --pid ]] && return
			if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "-p --pid -h --help" -- "$cur"))
			else _livefix_files lfu; fi ;;
		revert) COMPREPLY=($(compgen -W "-p --pid -h --help" -- "$cur")) ;;
		list) COMPREPLY=($(compgen -W "-j --json -h --help" -- "$cur")) ;;
		install) if [[ $prev == -f || $prev == --file ]]; then _livefix_files
			elif [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "-f --file -h --help" -- "$cur"))
			else _livefix_files lfu; fi ;;
		uninstall) local d=${LIVEFIX_USER_INSTALL_DIR:-/var/lib/livefix/user} n names=
			for n in "$d"/*.install; do [[ -e $n ]] && n=${n##*/} && names+=" ${n%.install}"; done
			COMPREPLY=($(compgen -W "$names -h --help" -- "$cur")) ;;
		watch) COMPREPLY=($(compgen -W "-h --help" -- "$cur")) ;;
		source) if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "-o --output -p --pid -h --help" -- "$cur"))
			else _livefix_files; fi ;;
		esac
		return
	fi

	local opts
	case $cmd in
	build) opts="-k --kernel -n --name -o --output --no-replace --skip-compiler-check --keep-workdir --description --cve --effective-version --sign-key --sign-cert --max-units -h --help" ;;
	fetch) opts="-k --kernel --no-source -h --help" ;;
	load) opts="-a --all -t --timeout --no-revert --force -h --help" ;;
	unload) opts="-a --all -t --timeout --no-revert -h --help" ;;
	list) opts="-j --json -h --help" ;;
	info) opts="-j --json -p --patch -h --help" ;;
	install) opts="-k --kernel -h --help" ;;
	uninstall) opts="-k --kernel -h --help" ;;
	show) opts="-i --installed -a --available -p --patch -h --help" ;;
	upgrade) opts="-y --yes -t --timeout -v --verbose -h --help" ;;
	remove) opts="-a --all -y --yes -t --timeout -h --help" ;;
	uname) opts="-v --kernel-version -r --kernel-release -a --all -e --effective -h --help" ;;
	status) opts="-j --json --vex -h --help" ;;
	report) opts="-s --server -t --token-file -H --host --timeout -n --dry-run -h --help" ;;
	package) opts="--version --maintainer -o --output -h --help" ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi
	case $cmd in
	load | install | info | package) _livefix_files ko ;;
	build) _livefix_files patch ;;
	uninstall) COMPREPLY=($(compgen -W "$(_livefix_installed_names)" -- "$cur")); _livefix_files ko ;;
	unload | remove) COMPREPLY=($(compgen -W "$(_livefix_loaded_names)" -- "$cur")) ;;
	show | upgrade) _livefix_files -d ;;
	esac
} &&
	complete -F _livefix livefix
