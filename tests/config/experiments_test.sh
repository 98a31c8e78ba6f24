#!/usr/bin/env bash
# Every shipped experiment (experiments/*.toml) validates and plans with pwemoe-orchestrate
# --dry-run, the TA8 ones against a stand-in tree: a Hugging Face hub cache holding each model id
# they name (empty snapshots) and empty head and dataset files at the paths they expect. A model
# missing from the cache is an error naming the missing folder.
# Usage: experiments_test.sh PWEMOE_ORCHESTRATE SOURCE_DIR
set -u
tool=$(realpath "$1") src=$(realpath "$2")
work=$(mktemp -d /tmp/pwemoe-experiments-XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; [ -f "$work/out.log" ] && tail -n 30 "$work/out.log"; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export HF_HUB_CACHE=$work/hub
commit=0123456789abcdef0123456789abcdef01234567
cd "$work" || exit 1
for id in $(grep -ho '"[A-Za-z0-9_.-]*/clip-vit-[A-Za-z0-9_.-]*"' "$src"/experiments/*.toml | tr -d '"' | sort -u); do
  folder=$HF_HUB_CACHE/models--${id%%/*}--${id#*/}
  mkdir -p "$folder/refs" "$folder/snapshots/$commit"
  printf '%s' "$commit" >"$folder/refs/main"
done
for t in sun397 cars resisc45 eurosat svhn gtsrb mnist dtd; do
  mkdir -p data/heads/clip-vit-base-patch32 "data/datasets/$t"
  touch "data/heads/clip-vit-base-patch32/$t.safetensors" "data/datasets/$t/train.h5" "data/datasets/$t/test.h5"
done

for toml in "$src"/experiments/*.toml; do
  "$tool" "$toml" --dry-run >"$work/out.log" 2>&1 || fail "$(basename "$toml") does not validate (exit $?)"
  grep -Eq '^plan of experiment [^ ]+: [0-9]+ units' "$work/out.log" || fail "$(basename "$toml"): no plan"
done

# The model ids resolved to their snapshot folders in the resolved configuration.
"$tool" "$src/experiments/ta8.toml" --dry-run >"$work/out.log" 2>&1
grep -q "pretrained = \"$HF_HUB_CACHE/models--openai--clip-vit-base-patch32/snapshots/$commit\"" "$work/out.log" \
  || fail "ta8.toml: the pretrained model id did not resolve into the cache"
grep -q "$HF_HUB_CACHE/models--tanganke--clip-vit-base-patch32_stanford-cars/snapshots/$commit" "$work/out.log" \
  || fail "ta8.toml: the expert of cars did not resolve"
# 2 runs; 8 one-hot + 1 equal + 256 Dirichlet rays per run and for weighted task arithmetic.
grep -Eq '^plan of experiment ta8-vit-b32: [0-9]+ units' "$work/out.log" || fail "ta8.toml: no plan line"
grep -q '265 rays' "$work/out.log" || fail "ta8.toml: expected 265 evaluation rays"
"$tool" "$src/experiments/ta8-fusionbench.toml" --dry-run >"$work/out.log" 2>&1
grep -q ': 8 rays (one-hot 8)$' "$work/out.log" || fail "ta8-fusionbench.toml: expected the 8 one-hot rays"
grep -q 'modules = \["mlp", "self_attn"\]' "$work/out.log" || fail "ta8-fusionbench.toml: not MLPs and attention"
"$tool" "$src/experiments/ta8-pairs.toml" --dry-run >"$work/out.log" 2>&1
grep -q 'sun397+cars+dtd: 67 rays (grid 66' "$work/out.log" || fail "ta8-pairs.toml: expected the 66-ray grid (and the equal ray) on the triple"

# 20 objectives: one-hot, equal and Dirichlet rays on all 20 tasks and on the 10-task subset.
"$tool" "$src/experiments/mini20.toml" --dry-run >"$work/out.log" 2>&1 || fail "mini20.toml: no plan"
grep -q ': 41 rays (one-hot 20, equal 1, dirichlet 20)$' "$work/out.log" || fail "mini20.toml: expected 41 rays on 20 tasks"
grep -q ': 31 rays (one-hot 10, equal 1, dirichlet 20)$' "$work/out.log" || fail "mini20.toml: expected 31 rays on 10 tasks"
grep -q '^tasks = 20$' "$work/out.log" || fail "mini20.toml: the benchmark's 20 tasks are not in the resolved configuration"

# A model missing from the cache: exit 2, the key and the missing folder named.
rm -rf "$HF_HUB_CACHE/models--tanganke--clip-vit-base-patch32_dtd"
"$tool" "$src/experiments/ta8.toml" --dry-run >"$work/out.log" 2>&1
[ $? -eq 2 ] || fail "a missing expert: exit code not 2"
grep -q "model.experts.*dtd.*models--tanganke--clip-vit-base-patch32_dtd does not exist" "$work/out.log" \
  || fail "a missing expert is not named with its cache folder"
echo "experiments_test: ok"
