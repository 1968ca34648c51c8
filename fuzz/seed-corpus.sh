#!/bin/sh
# Fills fuzz/corpus/ (gitignored) with seed inputs: the scenario template, every scenario
# shipped in scenarios/, the test fixtures, and a few hand-coded CSV transcripts.
# Run from anywhere: sh fuzz/seed-corpus.sh
# Then, from fuzz/ (cargo install cargo-fuzz; RUSTC_BOOTSTRAP=1 lets a stable toolchain build
# with the sanitizer flags cargo-fuzz passes):
#   RUSTC_BOOTSTRAP=1 cargo fuzz run load_scenario -- -max_total_time=600 -dict=ron.dict
#   RUSTC_BOOTSTRAP=1 cargo fuzz run csv_transcript -- -max_total_time=300 -dict=csv.dict
#   RUSTC_BOOTSTRAP=1 cargo fuzz run result_file -- -max_total_time=600
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
ron="$here/corpus/load_scenario"
csv="$here/corpus/csv_transcript"
res="$here/corpus/result_file"
mkdir -p "$ron" "$csv" "$res"
# A real result file written by `changetalk exercise run` (fuzz/seeds/).
cp "$here"/seeds/*.json "$res/"

# The template has an `__ID__` placeholder; seed both the raw and the filled-in form.
cp "$root/crates/changetalk-core/src/format/template.ron" "$ron/template-raw.ron"
sed 's/__ID__/template/' "$root/crates/changetalk-core/src/format/template.ron" > "$ron/template.ron"
for f in "$root"/scenarios/*.ron "$root"/crates/changetalk-core/tests/data/*.ron; do
    [ -e "$f" ] || continue
    cp "$f" "$ron/$(basename "$f")"
done

printf 'speaker,code,text\r\nclient,sustain_talk,"I don'"'"'t drink, much"\ncounselor,simple_reflection,"You ""don'"'"'t"" drink much"\ncounselor,open_question,What else?\nclient,change_talk,I should cut down\ncounselor,complex_reflection+simple_reflection,x\n' > "$csv/quoted.csv"
cat > "$csv/all-codes.csv" <<'CSV'
speaker,code,text
client,neutral,Hi.
counselor,giving_information,The test measures liver enzymes.
counselor,persuade,You should cut down.
client,sustain_talk,Everyone drinks.
counselor,persuade_with_permission,May I share something? Many people cut down.
counselor,open_question,What do you make of it?
client,discord,This is pointless.
counselor,closed_question,Do you drink daily?
counselor,simple_reflection,You drink daily.
client,change_talk,I want to sleep better.
counselor,complex_reflection,Sleep matters to you.
counselor,affirm,You came even though you weren't sure.
counselor,seeking_collaboration,What would you like to focus on?
counselor,emphasizing_autonomy,It's your choice.
counselor,confront,You're in denial.
client,,
counselor,,
CSV
printf '\357\273\277speaker,code,text\nclient,chnage_talk,x\ntherapist,,y\ncounselor,reflect,z\n' > "$csv/bad-rows.csv"
echo "seeded $(ls "$ron" | wc -l) scenario inputs and $(ls "$csv" | wc -l) CSV inputs under $here/corpus"
