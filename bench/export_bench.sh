#!/usr/bin/env bash
# Export throughput and memory (issue 6, "Scale"): seeds a project of N image
# tasks, each with one annotation holding two boxes (LS JSON, imported through
# `tessera import`), then runs `tessera export` once per format under
# /usr/bin/time and prints tasks/s, wall and CPU seconds, peak RSS and the size
# of what was written. Each export is its own process, so the peak RSS is the
# export's alone.
# Usage: bench/export_bench.sh [tasks=1000000] [formats="JSON JSONL JSON_MIN CSV COCO YOLO VOC"]
# A format may name the annotations to export: COCO@consensus, CSV@latest...
# PER_TASK=K seeds K annotations per task (default 1), each annotator's boxes
# the first one's moved by up to 1% of the image, so consensus has work to do.
# TESSERA_BIN picks the binary (default build/tessera); TMPDIR the scratch space.
# EXPORT_BENCH_KEEP=DIR keeps the seeded project in DIR, and a later run with
# the same DIR (and N) exports it again without seeding.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
PER_TASK=${PER_TASK:-1}
FORMATS=${2:-"JSON JSONL JSON_MIN CSV COCO YOLO VOC"}
BIN=${TESSERA_BIN:-build/tessera}
if [ -n "${EXPORT_BENCH_KEEP:-}" ]; then
  WORK=$EXPORT_BENCH_KEEP
  mkdir -p "$WORK"
else
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/tessera-export-bench.XXXXXX")
  trap 'rm -rf "$WORK"' EXIT
fi
DATA=$WORK/data
SEED_KEY=$N
[ "$PER_TASK" = 1 ] || SEED_KEY=$N-x$PER_TASK
if [ -f "$WORK/project-$SEED_KEY" ]; then
  PROJECT=$(cat "$WORK/project-$SEED_KEY")
  echo "reusing project $PROJECT with $N tasks in $WORK"
else

cat >"$WORK/config.xml" <<'XML'
<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="label" toName="image">
    <Label value="Car"/><Label value="Person"/><Label value="Bike"/>
  </RectangleLabels>
</View>
XML
/usr/bin/python3 - "$N" "$WORK/tasks.jsonl" "$PER_TASK" <<'PY'
import json, random, sys
n, path, per_task = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
rnd = random.Random(7)
labels = ["Car", "Person", "Bike"]
with open(path, "w") as out:
    for i in range(n):
        result = []
        for k in range(2):
            x, y = rnd.uniform(0, 80), rnd.uniform(0, 80)
            result.append({"id": f"r{i}_{k}", "from_name": "label", "to_name": "image",
                           "type": "rectanglelabels", "original_width": 640, "original_height": 480,
                           "image_rotation": 0,
                           "value": {"x": x, "y": y, "width": rnd.uniform(1, 20),
                                     "height": rnd.uniform(1, 20), "rotation": 0,
                                     "rectanglelabels": [rnd.choice(labels)]}})
        annotations = [{"result": result, "lead_time": 3.5}]
        for a in range(1, per_task):
            moved = json.loads(json.dumps(result))
            for r in moved:
                r["id"] = f"{r['id']}_{a}"
                r["value"]["x"] += rnd.uniform(-1, 1)
                r["value"]["y"] += rnd.uniform(-1, 1)
            annotations.append({"result": moved, "lead_time": 3.5})
        out.write(json.dumps({"data": {"image": f"/data/local-files/?d=images/{i:07d}.jpg"},
                              "annotations": annotations}) + "\n")
PY
"$BIN" user add --data "$DATA" --email bench@example.com --password bench-password-1 --admin >/dev/null
PROJECT=$("$BIN" project create --data "$DATA" --title "export bench" --config "$WORK/config.xml" | grep -o '[0-9]\+' | head -1)
start=$(date +%s.%N)
"$BIN" import --data "$DATA" --project "$PROJECT" "$WORK/tasks.jsonl" >/dev/null
echo "seeded $N tasks with annotations in $(echo "$(date +%s.%N) - $start" | bc) s (load $(cut -d' ' -f1 /proc/loadavg))"
rm -f "$WORK/tasks.jsonl"
echo "$PROJECT" >"$WORK/project-$SEED_KEY"
fi

printf '%-16s %10s %8s %8s %9s %10s\n' format tasks/s wall_s cpu_s peak_MB out_MB
for spec in $FORMATS; do
  format=${spec%@*}
  annotations=all
  [ "$spec" = "$format" ] || annotations=${spec#*@}
  case $format in JSON) ext=json ;; JSONL) ext=jsonl ;; JSON_MIN) ext=json ;; CSV) ext=csv ;; *) ext=zip ;; esac
  out=$WORK/export.$ext
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" \
    "$BIN" export --data "$DATA" --project "$PROJECT" --format "$format" --annotations "$annotations" \
    --out "$out" >/dev/null
  read -r wall user sys rss <"$WORK/time"
  size=$(du -m "$out" | cut -f1)
  printf '%-16s %10.0f %8.2f %8.2f %9.0f %10s\n' "$spec" "$(echo "$N / $wall" | bc -l)" "$wall" \
    "$(echo "$user + $sys" | bc -l)" "$(echo "$rss / 1024" | bc -l)" "$size"
  rm -rf "$out"
done
