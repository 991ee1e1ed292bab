#!/usr/bin/env bash
# mdfeed benchmark: times `mdfeed build` against Hugo and an I/O floor on
# generated corpora, and mdfeed's rebuilds (nothing changed; one article
# changed; the same change with the corpus and output copied anew, as CI with a
# cache sees them), and prints Markdown tables. See bench/README.md.
#
#   bench/run.sh [SIZE...]     sizes in articles (default: 1000 10000 100000)
#   bench/run.sh --tiny        50 articles, 1 run: proves the harness works (CI)
#
# Environment: RUNS (default 5), SEED (42), BENCH_DISK=1 (also run on disk under
# target/), HUGO_MAX_ARTICLES (20000), MDFEED (use this binary, skip the build),
# KEEP=1 (keep the generated corpora and outputs), TERM_FEEDS=1 (every tag and
# category also gets full-content feeds: ~4x the feed bytes), RESTORED_MAX (20000:
# the largest size whose output is copied for the restored-out/ rebuild).
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
target=${CARGO_TARGET_DIR:-$repo/target}
runs=${RUNS:-5}
seed=${SEED:-42}
hugo_max=${HUGO_MAX_ARTICLES:-20000}
tiny=0
sizes=()

say() { printf '%s\n' "$*" >&2; }
die() { say "bench: $*"; exit 2; }

for arg in "$@"; do
  case $arg in
    --tiny) tiny=1 ;;
    -h | --help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    '' | *[!0-9]*) die "not a size: $arg (see --help)" ;;
    *) sizes+=("$arg") ;;
  esac
done
if ((tiny)); then
  sizes=(50) runs=1
elif ((${#sizes[@]} == 0)); then
  sizes=(1000 10000 100000)
fi
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer"

# --- tools --------------------------------------------------------------------
if [[ ! -x /usr/bin/time ]]; then
  say "bench: /usr/bin/time missing; installing Debian package 'time'"
  { apt-get install -y time || { apt-get update && apt-get install -y time; }; } >&2 ||
    die "could not install /usr/bin/time (apt-get install -y time)"
fi

tools=$target/bench-tools
mkdir -p "$tools"
for ex in gen_corpus io_floor; do
  # std-only programs: plain rustc, so neither the library nor dev-dependencies are built
  "${RUSTC:-rustc}" --edition 2024 -O "$repo/examples/$ex.rs" -o "$tools/$ex" ||
    die "could not compile examples/$ex.rs"
done

mdfeed_ok=1
if [[ -n ${MDFEED:-} ]]; then
  mdfeed=$MDFEED
elif cargo build --release --bin mdfeed --manifest-path "$repo/Cargo.toml" >&2; then
  mdfeed=$target/release/mdfeed
else
  say "bench: FAILED: cargo build --release --bin mdfeed"
  mdfeed_ok=0 mdfeed=false
fi

hugo_ok=1
if ! command -v hugo >/dev/null; then
  hugo_ok=0
  say "bench: hugo is not installed: skipping Hugo (apt-get install -y hugo)"
fi

# --- where to run -------------------------------------------------------------
media=() bases=() work_dirs=()
if [[ -d /dev/shm && -w /dev/shm ]]; then
  media+=("tmpfs (/dev/shm)") bases+=(/dev/shm)
else
  media+=("temp dir (no /dev/shm)") bases+=("${TMPDIR:-/tmp}")
fi
if [[ ${BENCH_DISK:-0} == 1 ]] && ((!tiny)); then
  mkdir -p "$target/bench-disk"
  media+=("disk (target/bench-disk)") bases+=("$target/bench-disk")
fi
cleanup() {
  if [[ ${KEEP:-0} == 1 ]]; then
    say "bench: kept ${work_dirs[*]}"
  else
    rm -rf "${work_dirs[@]}"
  fi
}
trap cleanup EXIT

# --- measuring ----------------------------------------------------------------
failures=0

# timed MEDIUM SIZE RUN TOOL OUTDIR CMD...: one timed run; appends a row to $raw.
# The output is deleted before (and after) the run, outside the timed region,
# unless $keep_out is 1 (a rebuild into the output of an earlier build).
keep_out=0
timed() {
  local medium=$1 size=$2 run=$3 tool=$4 out=$5 t0 t1 rc=0 rss files
  shift 5
  if ((!keep_out)); then rm -rf "$out"; fi
  if [[ $medium == disk* ]]; then sync; fi
  t0=${EPOCHREALTIME/./}
  /usr/bin/time -f '%e %M' -o "$work/time.txt" "$@" >"$work/$tool.log" 2>&1 || rc=$?
  t1=${EPOCHREALTIME/./}
  rss=$(tail -n 1 "$work/time.txt" | awk '{print $2}')
  files=$( [[ -d $out ]] && find "$out" -type f | wc -l || echo 0)
  if ((keep_out)); then
    # For a rebuild, the files it wrote (mdfeed says "N written" or "up to date").
    files=$(grep -o '[0-9,]* written' "$work/$tool.log" | tr -d ', written' || true)
    files=${files:-0}
  fi
  if ((rc != 0)) || { ((!keep_out)) && ((files == 0)); }; then
    say ""
    say "bench: FAILED ($tool, $size articles, exit $rc, $files output files):"
    tail -n 20 "$work/$tool.log" >&2
    if [[ $tool == mdfeed || $tool == mdfeed-hugo-work ]]; then failures=$((failures + 1)); fi
    if ((rc == 0)); then rc=1; fi
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$medium" "$size" "$tool" "$run" \
    $((t1 - t0)) "${rss:-0}" "$rc" "$files" >>"$raw"
  printf ' %s %s s' "$tool" "$(awk -v us=$((t1 - t0)) 'BEGIN{printf "%.3f", us/1e6}')" >&2
  if ((!keep_out)); then rm -rf "$out"; fi
}

# fresh_copy DIR: replaces every file under DIR with a copy of itself (new inodes and
# times, the same bytes), as a clean clone or a restored CI cache gives.
fresh_copy() {
  rm -rf "$1.copy"
  cp -r "$1" "$1.copy"
  rm -rf "$1"
  mv "$1.copy" "$1"
}

# rebuilds MEDIUM SIZE CORPUS: builds once (untimed), then RUNS times: a rebuild with
# nothing changed, and one after a line is added to one published article (in the
# middle of the corpus by path), which is then put back and rebuilt (untimed). Up to
# $restored_max articles, also the same edit as a CI run with a cache sees it: the
# corpus and the last build's output copied anew (new stamps), then built.
restored_max=${RESTORED_MAX:-20000}
rebuilds() {
  local medium=$1 size=$2 corpus=$3 out=$work/out-rebuild run article
  article=$(grep -rL --include='*.md' '^draft: true' "$corpus/content" | sort |
    sed -n "$(((size + 1) / 2))p")
  [[ -n $article ]] || { say "bench: no published article to edit"; return; }
  cp "$article" "$work/article.md"
  rm -rf "$out"
  "$mdfeed" build --quiet --root "$corpus" --out "$out" >&2
  keep_out=1
  for ((run = 1; run <= runs; run++)); do
    printf 'bench: [%s] %s articles, rebuilds %d/%d:' "$medium" "$size" "$run" "$runs" >&2
    timed "$medium" "$size" "$run" nothing-changed "$out" \
      "$mdfeed" build --root "$corpus" --out "$out"
    printf '\nEdited by the benchmark, run %d.\n' "$run" >>"$article"
    timed "$medium" "$size" "$run" one-changed "$out" \
      "$mdfeed" build --root "$corpus" --out "$out"
    cp "$work/article.md" "$article"
    "$mdfeed" build --quiet --root "$corpus" --out "$out" >&2
    if ((size <= restored_max)); then
      printf '\nEdited by the benchmark, run %d.\n' "$run" >>"$article"
      fresh_copy "$corpus"
      fresh_copy "$out"
      timed "$medium" "$size" "$run" restored-changed "$out" \
        "$mdfeed" build --root "$corpus" --out "$out"
      cp "$work/article.md" "$article"
      "$mdfeed" build --quiet --root "$corpus" --out "$out" >&2
    fi
    say ""
  done
  keep_out=0
  rm -rf "$out"
}

# bench_size MEDIUM SIZE: generate (untimed), then alternate the tools RUNS times.
bench_size() {
  local medium=$1 size=$2 corpus=$work/corpus-$2 with_hugo=$hugo_ok hugo_flag=() run
  if ((with_hugo && size > hugo_max)); then
    with_hugo=0
    say "bench: skipping Hugo at $size articles (> HUGO_MAX_ARTICLES=$hugo_max; it needs" \
      "about 2 GB per 10k articles and ran out of memory at 100k)"
  fi
  if ((with_hugo)); then hugo_flag=(--hugo); fi
  if [[ ${TERM_FEEDS:-0} == 1 ]]; then hugo_flag+=(--term-feeds); fi
  say "bench: [$medium] generating $size articles"
  "$tools/gen_corpus" --articles "$size" --out "$corpus" --seed "$seed" "${hugo_flag[@]}" >&2
  for ((run = 1; run <= runs; run++)); do
    printf 'bench: [%s] %s articles, run %d/%d:' "$medium" "$size" "$run" "$runs" >&2
    if ((mdfeed_ok)); then
      timed "$medium" "$size" "$run" mdfeed "$work/out-mdfeed" \
        "$mdfeed" build --root "$corpus" --out "$work/out-mdfeed"
    fi
    if ((with_hugo)); then
      timed "$medium" "$size" "$run" hugo "$work/out-hugo" \
        hugo --quiet --source "$corpus/hugo" --destination "$work/out-hugo"
      # The same articles with Hugo's feed work (one full-content RSS feed), for a
      # comparison of equal feed work; gen_corpus --hugo writes it.
      if ((mdfeed_ok)); then
        timed "$medium" "$size" "$run" mdfeed-hugo-work "$work/out-hugo-work" \
          "$mdfeed" build --root "$corpus/hugo-work" --out "$work/out-hugo-work"
      fi
    fi
    timed "$medium" "$size" "$run" floor "$work/out-floor" \
      "$tools/io_floor" "$corpus/content" "$work/out-floor"
    say ""
  done
  if ((mdfeed_ok)); then rebuilds "$medium" "$size" "$corpus"; fi
  rm -rf "$corpus"
}

raw=$(mktemp "${TMPDIR:-/tmp}/mdfeed-bench-raw.XXXXXX.tsv")
work_dirs+=("$raw")
for i in "${!media[@]}"; do
  work=$(mktemp -d "${bases[$i]}/mdfeed-bench.XXXXXX")
  work_dirs+=("$work")
  for size in "${sizes[@]}"; do
    bench_size "${media[$i]}" "$size"
  done
done

# --- report -------------------------------------------------------------------
# summary MEDIUM SIZE TOOL -> "median min max rss_mb files" over successful runs, or nothing
summary() {
  awk -F '\t' -v m="$1" -v s="$2" -v t="$3" '
    $1 == m && $2 == s && $3 == t && $7 == 0 { n++; w[n] = $5 / 1e6; r[n] = $6 / 1024; f = $8 }
    function med(a, n,   i, j, x) {
      for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    END { if (n) { x = med(w, n); printf "%.3f %.3f %.3f %.0f %d\n", x, w[1], w[n], med(r, n), f } }
  ' "$raw"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "–"; else printf "%.2f×\n", a / b }'; }

printf '## mdfeed benchmark\n\n'
printf '%s runs per tool (alternating), seed %s, %s cores, %s; mdfeed: %s\n' "$runs" "$seed" \
  "$(nproc)" "$( ((hugo_ok)) && hugo version | awk '{print "Hugo " $2}' || echo 'no Hugo')" \
  "$( ((mdfeed_ok)) && echo "${mdfeed#"$repo"/}" || echo "build failed")"
for medium in "${media[@]}"; do
  printf '\n### %s\n\n' "$medium"
  printf '| size | tool | median wall s | min | max | median peak RSS MB | vs Hugo | vs floor | output files |\n'
  printf '|---:|---|---:|---:|---:|---:|---:|---:|---:|\n'
  for size in "${sizes[@]}"; do
    hugo_med=$(summary "$medium" "$size" hugo | awk '{print $1}')
    floor_med=$(summary "$medium" "$size" floor | awk '{print $1}')
    for tool in mdfeed mdfeed-hugo-work hugo floor; do
      label=$tool
      if [[ $tool == mdfeed-hugo-work ]]; then
        label="mdfeed, Hugo's feed work"
        # Made only beside Hugo: no row where Hugo was skipped.
        [[ -n $hugo_med ]] || continue
      fi
      read -r med lo hi rss files <<<"$(summary "$medium" "$size" "$tool")" || true
      if [[ -z ${med:-} ]]; then
        printf '| %s | %s | failed or skipped | | | | | | |\n' "$size" "$label"
        continue
      fi
      printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$size" "$label" "$med" "$lo" \
        "$hi" "$rss" "$(ratio "$med" "$hugo_med")" "$(ratio "$med" "$floor_med")" "$files"
    done
  done
done

for medium in "${media[@]}"; do
  printf '\n### rebuilds, %s (mdfeed)\n\n' "$medium"
  printf '| size | full build s | nothing changed s | vs full | files written | one article changed s | vs full | files written | one changed, restored out/ s | vs full |\n'
  printf '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
  for size in "${sizes[@]}"; do
    full=$(summary "$medium" "$size" mdfeed | awk '{print $1}')
    read -r none _ _ _ none_files <<<"$(summary "$medium" "$size" nothing-changed)" || true
    read -r one _ _ _ one_files <<<"$(summary "$medium" "$size" one-changed)" || true
    read -r restored _ <<<"$(summary "$medium" "$size" restored-changed)" || true
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$size" "${full:-–}" "${none:-–}" \
      "$(ratio "${none:-}" "$full")" "${none_files:-–}" "${one:-–}" "$(ratio "${one:-}" "$full")" \
      "${one_files:-–}" "${restored:-–}" "$(ratio "${restored:-}" "$full")"
  done
done

if ((failures || !mdfeed_ok)); then
  say "bench: mdfeed failed ($failures failed runs, build ok: $mdfeed_ok)"
  exit 1
fi
