# env.sh - sourced by each block of tests/cli/wood.test so that every block
# stands alone: the generated images (testdata/wood/make.sh), a model trained
# on them (made once, again only when the images or sc-wood change), and a
# scratch folder of the block's own under out/ (removed when the block ends),
# which the block runs in, with the generated folders linked into it.
set -e
root=${SC_ROOT:-$(pwd)}
"$root/testdata/wood/make.sh"
g=$root/testdata/gen/wood
key=$(cat "$(command -v sc-wood)" "$g"/.stamp-* | sha256sum | cut -c1-16)
if [ ! -e "$g/.model-$key" ]; then
	sc-wood train -j 2 -o "$g/wood.model.tmp" "$g/library" 2>/dev/null
	mv "$g/wood.model.tmp" "$g/wood.model"
	rm -f "$g"/.model-*
	touch "$g/.model-$key"
fi
mkdir -p "$root/out"
run=$(mktemp -d "$root/out/wood-test.XXXXXX")
trap 'chmod -R u+w "$run" 2>/dev/null; rm -rf "$run"' EXIT
for x in library held unknown other samples bad lib-empty lib-badyaml wood.model; do
	ln -s "$g/$x" "$run/$x"
done
cd "$run"
set +e
