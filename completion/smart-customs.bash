# bash completion for the Smart Customs tools. Options and subcommands are
# read from the tool's own --help, so the completion cannot drift from the
# program; everything else completes as a file name.
# Installed once per tool as $(PREFIX)/share/bash-completion/completions/sc-TOOL.

_sc_complete()
{
	local cur=${COMP_WORDS[COMP_CWORD]} tool=${COMP_WORDS[0]} name help subs sub="" opts
	name=${tool##*/}
	help=$("$tool" --help 2>&1) || true
	# "usage: sc-risk check [...]" and "       sc-risk test [...]" name subcommands
	subs=$(printf '%s\n' "$help" | sed -nE "s/^(usage:)? *$name ([a-z][a-z-]+)( .*)?\$/\\2/p" | sort -u)
	if [ -n "$subs" ] && [ "$COMP_CWORD" -gt 1 ]; then
		sub=${COMP_WORDS[1]}
		printf '%s\n' "$subs" | grep -qx -- "$sub" || sub=""
	fi
	if [[ $cur == -* ]]; then
		if [ -n "$sub" ]; then
			help=$(printf '%s\n' "$help" | grep -E -- "^(usage:)? *$name $sub( |\$)|^ {8,}[[-]")
		fi
		opts=$(printf '%s\n' "$help" | grep -oE -- '(^|[[ ,|])--?[A-Za-z][A-Za-z0-9-]*' |
		       sed -E 's/^[[ ,|]//' | sort -u)
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return 0
	fi
	if [ "$COMP_CWORD" = 1 ] && [ -n "$subs" ]; then
		COMPREPLY=($(compgen -W "$subs" -- "$cur"))
		[ ${#COMPREPLY[@]} -gt 0 ] && return 0
	fi
	COMPREPLY=($(compgen -f -- "$cur"))
	return 0
}
complete -o filenames -F _sc_complete sc-ocr sc-parse sc-import sc-join sc-risk sc-wood \
	sc-scan sc-report
