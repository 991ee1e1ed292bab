#!/usr/bin/env bash
# Times how long `mdfeed serve` takes to serve an edit: appends a line to the newest
# article and polls over HTTP until its page, the site's RSS feed and one of its tag
# feeds all return the new line. See bench/README.md.
#
#   bench/serve-latency.sh SITE [EDITS]    SITE: a site root (e.g. from gen_corpus);
#                                          EDITS: how many edits to time (default 7)
#
# Environment: MDFEED (use this binary; default: cargo build --release). The article
# is restored when the script ends. Prints one line per edit, then the medians.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
site=${1:?usage: bench/serve-latency.sh SITE [EDITS]}
edits=${2:-7}
say() { printf '%s\n' "$*" >&2; }
die() { say "serve-latency: $*"; exit 2; }
[[ -f $site/mdfeed.toml ]] || die "$site has no mdfeed.toml"
command -v curl >/dev/null || die "needs curl (apt-get install -y curl)"

if [[ -n ${MDFEED:-} ]]; then
  mdfeed=$MDFEED
else
  cargo build --release --quiet --bin mdfeed --manifest-path "$repo/Cargo.toml" >&2
  mdfeed=${CARGO_TARGET_DIR:-$repo/target}/release/mdfeed
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/serve-latency.XXXXXX")
server=
article=
cleanup() {
  if [[ -n $article && -f $work/article.bak ]]; then cp "$work/article.bak" "$article"; fi
  if [[ -n $server ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# now_ms: milliseconds since the epoch, from bash's own clock (no process started).
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
# pause SECONDS: `read -t` on a pipe nobody writes to: a sleep without a process.
exec 9<> <(:)
pause() { read -r -t "$1" -u 9 || true; }
# wait_for SECONDS CMD...: runs CMD every POLL seconds (default 0.01) until it
# succeeds, at most SECONDS. Polling faster takes CPU from the server on 2 cores.
wait_for() {
  local t=${EPOCHREALTIME/./}
  local until=$((t / 1000 + $1 * 1000))
  shift
  until "$@"; do
    t=${EPOCHREALTIME/./}
    ((t / 1000 < until)) || return 1
    pause "${POLL:-0.01}"
  done
}
# has PATH TEXT: does the served PATH contain TEXT? grep reads to the end (no -q), so
# curl never fails on a closed pipe.
has() { curl -sf --max-time 30 "$url${1#/}" | grep -F "$2" >/dev/null; }
# page_has PATH TEXT: the same for a small page, over bash's /dev/tcp: polling starts
# no process, so it takes no CPU from the server it measures.
page_has() {
  local body=
  exec 3<>"/dev/tcp/$host/$port" || return 1
  printf 'GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$1" "$host" >&3
  IFS= read -r -d '' -u 3 body || true
  exec 3<&-
  [[ $body == *"$2"* ]]
}
builds() { grep -c 'built' "$work/err" || true; }

"$mdfeed" serve --root "$site" --port 0 >"$work/out" 2>"$work/err" &
server=$!
wait_for 60 grep -q '^serving ' "$work/out" || die "no address: $(cat "$work/err")"
url=$(sed -n 's/^serving //p' "$work/out" | head -n 1)
hostport=${url#http://}
hostport=${hostport%/}
host=${hostport%:*} port=${hostport##*:}
wait_for 600 grep -q 'built' "$work/err" || die "no first build: $(cat "$work/err")"
say "serve-latency: $(grep 'built' "$work/err" | head -n 1) ($url)"

# The newest article: the first item of the site's RSS feed (its second <link>).
page=$(curl -sf "${url}rss.xml" | grep -o '<link>[^<]*</link>' | sed -n 2p |
  sed -e 's|<link>||' -e 's|</link>||' -e "s|^$url|/|")
[[ -n $page ]] || die "no article in ${url}rss.xml"
article=$site/content${page%/}.md
[[ -f $article ]] || die "cannot find the source of $page (looked for $article)"
# Templates escape `/` in attributes as `&#x2f;`.
tag=$(curl -sf "$url${page#/}" | sed 's|&#x2f;|/|g' | grep -o 'href="/tags/[^"]*/"' | head -n 1 |
  sed 's/^href="//; s/"$//')
[[ -n $tag ]] || die "$page links to no tag page"
cp "$article" "$work/article.bak"
say "serve-latency: editing ${article#"$site"/}; checking $page, /rss.xml, ${tag}rss.xml"

printf '| edit | page ms | + site feed ms | + tag feed ms | rebuild ms (server) |\n|---:|---:|---:|---:|---:|\n'
: >"$work/rows"
for ((i = 1; i <= edits; i++)); do
  pause 1
  before=$(builds)
  marker="serve-latency-$i-$$-$RANDOM"
  t0=${EPOCHREALTIME/./} t0=$((t0 / 1000))
  printf '\nEdited: %s\n' "$marker" >>"$article"
  wait_for 120 page_has "$page" "$marker" || die "edit $i: page not updated"
  t_page=$(($(now_ms) - t0))
  wait_for 120 has /rss.xml "$marker" || die "edit $i: /rss.xml not updated"
  t_feed=$(($(now_ms) - t0))
  wait_for 120 has "${tag}rss.xml" "$marker" || die "edit $i: ${tag}rss.xml not updated"
  t_tag=$(($(now_ms) - t0))
  wait_for 120 test "$(builds)" -gt "$before" || die "edit $i: no rebuild reported"
  rebuild=$(grep 'built' "$work/err" | tail -n 1 | sed -n 's/.* in \([0-9]*\) ms.*/\1/p')
  printf '| %d | %d | %d | %d | %s |\n' "$i" "$t_page" "$t_feed" "$t_tag" "$rebuild"
  printf '%d %d %d %s\n' "$t_page" "$t_feed" "$t_tag" "$rebuild" >>"$work/rows"
done
median() { sort -n | awk '{ a[NR] = $1 } END { print NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
printf '| median | %s | %s | %s | %s |\n' \
  "$(awk '{print $1}' "$work/rows" | median)" "$(awk '{print $2}' "$work/rows" | median)" \
  "$(awk '{print $3}' "$work/rows" | median)" "$(awk '{print $4}' "$work/rows" | median)"
