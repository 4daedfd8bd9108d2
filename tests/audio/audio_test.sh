#!/usr/bin/env bash
# Sound (docs/audio.md): what the guest plays through /dev/dsp comes out of the sound card, as
# the WAV files of eclipse-sim --audio=wav and of QEMU's -audiodev wav show it (measured with
# sox and wav.py).
# Usage: audio_test.sh BUILD_DIR tone|mix|volume|wav|tune|ipc|restart|same-tone|recorded
#   tone       a 440 Hz tone of 2 s comes out at 440 Hz within 1 Hz, 96000 frames long to the
#              frame, on the virtual clock
#   mix        two clients at once: both frequencies are in the sum
#   volume     a stream's volume at 50 halves the amplitude; the master volume at 25 quarters it
#   wav        a WAV file at 22050 Hz mono, cat to /dev/dsp: played at its own rate, resampled
#   tune       examples/tune, 22050 Hz mono: 6.4 s of sound (16 beats at 150 a minute), its first note E4 (329.63 Hz)
#   ipc        a tone through the "audio" IPC interface, at volume 50: 1 s, 440 Hz, half the peak
#   restart    the audio service killed mid-stream: its client gets an error, init restarts
#              the service, and the next tone plays
#   same-tone  the same guest on the sim and on the pc kernel under QEMU: the same tone, as
#              long within 10 ms (QEMU plays in real time)
#   recorded   the tone played on a host sound device (--audio=sdl, SDL's dummy driver) with
#              --record, then --replay: the same run, byte for byte (the device only listens)
set -uo pipefail

build=$1 case=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
sim=$build/eclipse-sim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
source "$here/../pc/lib.sh"

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

command -v sox >/dev/null || { echo "SKIP: no sox (scripts/setup.sh installs it)"; exit 77; }

# play_sim CASE: the case's image on the sim, the card's sound in $tmp/CASE.wav.
play_sim() {
	timeout 120 "$sim" --image="$build/tests/audio/$1.cpio" --max-time=30s --quiet \
		--audio="wav:$tmp/$1.wav" </dev/null >"$tmp/$1.out" 2>&1
	local status=$?
	((status == 0)) || fail "eclipse-sim exited with $status"
	grep -qx "play: $1 done" "$tmp/$1.out" || fail "the guest did not finish"
	[[ -s $tmp/$1.wav ]] || { fail "no WAV file"; return 1; }
	python3 "$here/wav.py" segments "$tmp/$1.wav" >"$tmp/$1.seg"
}

# seg N FIELD: field (1 start, 2 frames, 3 peak, 4 frequency, 5 right peak) of sound N (1..).
seg() {
	sed -n "${1}p" "$tmp/$case.seg" | cut -d' ' -f"$2"
}

near() { # near VALUE WANT TOLERANCE
	python3 -c "import sys; sys.exit(0 if abs(float('$1' or 'nan') - $2) <= $3 else 1)"
}

# sox's own view: the rate, and the rough frequency of the left channel.
sox_check() { # sox_check FILE FREQ
	[[ $(soxi -r "$1") == 48000 && $(soxi -c "$1") == 2 ]] || fail "sox: $(soxi "$1")"
	local rough
	rough=$(sox "$1" -n remix 1 stat 2>&1 | sed -n 's/^Rough *frequency: *//p')
	near "$rough" "$2" 5 || fail "sox's rough frequency $rough, not $2"
}

# one_sound FRAMES TOLERANCE FREQ [PEAK]: the run made one sound, FRAMES long within TOLERANCE,
# at FREQ within 1 Hz, with PEAK on the left channel (within 1) when given.
one_sound() {
	[[ $(wc -l <"$tmp/$case.seg") == 1 ]] || fail "not one sound: $(cat "$tmp/$case.seg")"
	near "$(seg 1 2)" "$1" "$2" || fail "$(seg 1 2) frames, not $1"
	near "$(seg 1 4)" "$3" 1 || fail "$(seg 1 4) Hz, not $3"
	[[ -z ${4-} ]] || near "$(seg 1 3)" "$4" 1 || fail "peak $(seg 1 3), not $4"
}

case $case in
tone)
	play_sim tone || exit 1
	one_sound 96000 0 440 16384
	[[ $(seg 1 3) == $(seg 1 5) ]] || fail "the channels differ"
	sox_check "$tmp/tone.wav" 440
	;;
mix)
	play_sim mix || exit 1
	start=$(seg 1 1)
	read -r p440 p1000 p700 < <(python3 "$here/wav.py" power "$tmp/mix.wav" $((start + 4800)) 48000 440 1000 700)
	near "$p440" 0.5 0.05 || fail "440 Hz's share of the power $p440, not 0.5"
	near "$p1000" 0.5 0.05 || fail "1000 Hz's share of the power $p1000, not 0.5"
	near "$p700" 0 0.01 || fail "700 Hz's share of the power $p700, not 0"
	;;
volume)
	play_sim volume || exit 1
	[[ $(wc -l <"$tmp/volume.seg") == 3 ]] || fail "not three sounds: $(cat "$tmp/volume.seg")"
	near "$(seg 1 3)" 16384 1 || fail "full volume: peak $(seg 1 3), not 16384"
	near "$(seg 2 3)" 8192 1 || fail "the stream at 50: peak $(seg 2 3), not 8192"
	near "$(seg 3 3)" 4096 1 || fail "the master at 25: peak $(seg 3 3), not 4096"
	for n in 1 2 3; do
		[[ $(seg $n 2) == 24000 ]] || fail "sound $n: $(seg $n 2) frames, not 24000"
	done
	;;
wav)
	play_sim wav || exit 1
	one_sound 48000 3 440
	sox_check "$tmp/wav.wav" 440
	;;
tune)
	play_sim tune || exit 1
	[[ $(wc -l <"$tmp/tune.seg") == 1 ]] || fail "not one sound: $(cat "$tmp/tune.seg")"
	near "$(seg 1 2)" 307200 2400 || fail "$(seg 1 2) frames, not 6.4 s"
	read -r e4 a4 < <(python3 "$here/wav.py" power "$tmp/tune.wav" "$(seg 1 1)" 14400 329.63 440)
	near "$e4" 0.8 0.2 || fail "the first note's share at 329.63 Hz is $e4"
	near "$a4" 0 0.05 || fail "the first note's share at 440 Hz is $a4"
	;;
ipc)
	play_sim ipc || exit 1
	one_sound 48000 0 440 8192
	;;
restart)
	play_sim restart || exit 1
	grep -Eq "^play: tone ended with status [1-9]" "$tmp/restart.out" ||
		fail "the first tone's client was not told"
	grep -qx "play: second tone ended with status 0" "$tmp/restart.out" ||
		fail "the second tone failed"
	grep -q "^init: audio (pid [0-9]*) killed by SIGKILL" "$tmp/restart.out" ||
		fail "init did not see the service die"
	last=$(wc -l <"$tmp/restart.seg")
	near "$(seg "$last" 4)" 660 1 || fail "the last sound is not 660 Hz: $(cat "$tmp/restart.seg")"
	near "$(seg "$last" 2)" 48000 0 || fail "the last sound is not 1 s long"
	((failures)) && cat "$tmp/restart.out"
	;;
same-tone)
	pc_require_qemu
	case=tone
	play_sim tone || exit 1
	PC_AUDIODEV="wav,id=snd0,path=$tmp/pc.wav,out.frequency=48000,out.channels=2,out.format=s16,in.voices=0"
	pc_boot "$build/eclipse-pc" "$build/tests/audio/tone.cpio" "max-time=60s" "$tmp/pc.out" 240 ||
		fail "pc: $PC_STATUS"
	grep -qx "play: tone done" <(tr -d '\r' <"$tmp/pc.out") || fail "pc: the guest did not finish"
	python3 "$here/wav.py" segments "$tmp/pc.wav" >"$tmp/pc.seg"
	echo "sim: $(cat "$tmp/tone.seg")"
	echo "pc:  $(cat "$tmp/pc.seg")"
	case=pc
	[[ $(wc -l <"$tmp/pc.seg") -ge 1 ]] || fail "pc: no sound"
	near "$(seg 1 4)" 440 1 || fail "pc: $(seg 1 4) Hz, not 440"
	total=$(awk '{n += $2} END {print n}' "$tmp/pc.seg")
	near "$total" 96000 480 || fail "pc: $total frames of sound, not 96000 within 10 ms"
	near "$(seg 1 3)" 16384 1 || fail "pc: peak $(seg 1 3), not 16384"
	sox_check "$tmp/pc.wav" 440
	;;
recorded)
	sdl_run() {
		SDL_AUDIODRIVER=dummy timeout 120 "$sim" --image="$build/tests/audio/tone.cpio" \
			--max-time=30s --quiet --audio=sdl "$@" </dev/null 2>&1
	}
	sdl_run --record="$tmp/tone.rec" >"$tmp/recorded.out" || fail "the recording exited with $?"
	sdl_run --replay="$tmp/tone.rec" >"$tmp/replayed.out" || fail "the replay exited with $?"
	grep -qx "play: tone done" "$tmp/recorded.out" || fail "the guest did not finish"
	cmp -s "$tmp/recorded.out" "$tmp/replayed.out" ||
		fail "the replay's output differs: $(diff "$tmp/recorded.out" "$tmp/replayed.out" | head -5)"
	;;
*)
	echo "usage: audio_test.sh BUILD_DIR tone|mix|volume|wav|tune|restart|same-tone|recorded" >&2
	exit 2
	;;
esac
((failures == 0)) && echo "PASS: audio.$2"
((failures == 0))
